package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"syscall"
	"time"
)

// timedCall sends one request and reads the whole answer: how long it
// took, and whether it was a 200. err is set only when no request could be
// built; a failed call is ok == false.
func timedCall(ctx context.Context, hc *http.Client, newReq func(context.Context) (*http.Request, error)) (took time.Duration, ok bool, err error) {
	req, err := newReq(ctx)
	if err != nil {
		return 0, false, err
	}
	t := time.Now()
	res, err := hc.Do(req)
	if err != nil {
		return 0, false, nil
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return time.Since(t), err == nil && res.StatusCode == http.StatusOK, nil
}

// cpuTime is this process's user + system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadSamples is one load run's raw results.
type loadSamples struct {
	lat     []float64 // ms per request
	errors  int
	elapsed time.Duration
	cpu     time.Duration // the process's CPU time over elapsed
	// held is, for each stopwatch the run was given, the times its
	// handler held the measured calls (ms).
	held [][]float64
}

// alternate runs a and b in turns, six rounds of d/6 each, and sums them.
// Each path goes first in half of the rounds (a b, b a, a b...), so that
// neither always inherits the other's leftovers (garbage to collect,
// connections closing) or always meets a change in the machine's load
// first.
func alternate(d time.Duration, a, b func(time.Duration) (loadSamples, error), clients int) (proxyRun, proxyRun, error) {
	const rounds = 6
	var sums [2]loadSamples
	for round := range rounds {
		order := []int{0, 1}
		if round%2 == 1 {
			order = []int{1, 0}
		}
		for _, i := range order {
			s, err := []func(time.Duration) (loadSamples, error){a, b}[i](d / rounds)
			if err != nil {
				return proxyRun{}, proxyRun{}, err
			}
			sums[i].lat = append(sums[i].lat, s.lat...)
			sums[i].errors += s.errors
			sums[i].elapsed += s.elapsed
			sums[i].cpu += s.cpu
			sums[i].held = appendHeld(sums[i].held, s.held)
		}
	}
	return sums[0].run("direct", clients), sums[1].run("intermediary", clients), nil
}

func appendHeld(sum, more [][]float64) [][]float64 {
	if sum == nil {
		sum = make([][]float64, len(more))
	}
	for i := range more {
		sum[i] = append(sum[i], more[i]...)
	}
	return sum
}

func (s loadSamples) run(name string, clients int) proxyRun {
	r := proxyRun{name: name, clients: clients, requests: len(s.lat), errors: s.errors,
		rps: float64(len(s.lat)) / s.elapsed.Seconds(), lat: summarize(s.lat)}
	for _, ms := range s.held {
		r.held = append(r.held, summarize(ms))
	}
	if len(s.lat) > 0 {
		r.cpu = s.cpu / time.Duration(len(s.lat))
	}
	return r
}

// load runs clients loops of sequential requests for d (after a short
// warm-up), each on a keep-alive connection, and measures every request
// from send to the end of the body.
func load(ctx context.Context, name string, clients int, d time.Duration, newReq func(context.Context) (*http.Request, error)) (proxyRun, error) {
	s, err := loadRaw(ctx, name, clients, d, newReq)
	if err != nil {
		return proxyRun{}, err
	}
	return s.run(name, clients), nil
}

// loadRaw is load's measurement, unsummarised, with what each of watches
// timed over the measured calls (the warm-up's are dropped).
func loadRaw(ctx context.Context, name string, clients int, d time.Duration, newReq func(context.Context) (*http.Request, error), watches ...*stopwatch) (loadSamples, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 2 * clients
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	one := func(ctx context.Context) (time.Duration, bool, error) { return timedCall(ctx, hc, newReq) }
	if err := warmUp(ctx, clients, one); err != nil {
		return loadSamples{}, fmt.Errorf("%s: %w", name, err)
	}
	for _, w := range watches {
		w.take() // the warm-up's, and a previous run's late ones
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	var out loadSamples
	var lat []float64
	var wg sync.WaitGroup
	start, cpu0 := time.Now(), cpuTime()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []float64
			errs := 0
			for ctx.Err() == nil {
				took, ok, err := one(ctx)
				if ctx.Err() != nil {
					break // cut off by the end of the run: not counted
				}
				if err != nil || !ok {
					errs++
					continue
				}
				mine = append(mine, float64(took)/float64(time.Millisecond))
			}
			mu.Lock()
			lat = append(lat, mine...)
			out.errors += errs
			mu.Unlock()
		}()
	}
	wg.Wait()
	out.elapsed, out.cpu = time.Since(start), cpuTime()-cpu0
	out.lat = lat
	for _, w := range watches {
		out.held = append(out.held, w.take())
	}
	return out, nil
}

// warmUp makes one call per client, all at once, so that the pool holds a
// connection per client before the clock starts: sequential calls would
// all reuse one, and the measured run would begin by dialling the others.
func warmUp(ctx context.Context, clients int, one func(context.Context) (time.Duration, bool, error)) error {
	errs := make(chan error, clients)
	for range clients {
		go func() {
			_, ok, err := one(ctx)
			if err == nil && !ok {
				err = errors.New("not a 200")
			}
			errs <- err
		}()
	}
	var first error
	for range clients {
		if err := <-errs; err != nil && first == nil {
			first = fmt.Errorf("the warm-up request failed: %w", err)
		}
	}
	return first
}
