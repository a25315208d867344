package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sealbridge/sealbridge/demo/intermediary"
	"github.com/sealbridge/sealbridge/demo/sandbox"
	"github.com/sealbridge/sealbridge/wasm/descriptor"
)

// proxyRun is one load test: requests/s and latency over its duration.
type proxyRun struct {
	name     string
	clients  int
	requests int
	errors   int
	rps      float64
	lat      summary
	// cpu is this process's CPU time (user + system) per answered call:
	// load generator, intermediary and sandbox together. Between two paths
	// it tells the work a call costs, which the machine's other load
	// stretches less than it stretches wall-clock time.
	cpu time.Duration
}

type proxyResults struct {
	direct, via proxyRun
	// Low-load latency, one client: the hop's own cost, no queueing.
	direct1, via1 proxyRun
	// A provider that takes providerDelay to answer, like a real API.
	directSlow, viaSlow proxyRun
	clients             int
	duration            time.Duration
}

// measureProxy loads the sandbox's dispatch endpoint directly, then
// through the intermediary, with the same descriptor, on loopback only.
// Everything (load generator, intermediary, sandbox) shares this process
// and its two cores, as a small backend would share a machine.
func measureProxy(ctx context.Context, clients int, d time.Duration, profile string) (*proxyResults, error) {
	rig, err := newProxyRig(ctx, clients)
	if err != nil {
		return nil, err
	}
	defer rig.close()
	res := &proxyResults{clients: clients, duration: d}
	low := min(3*time.Second, d)
	for _, step := range []struct {
		out     *proxyRun
		name    string
		clients int
		d       time.Duration
		req     func(context.Context) (*http.Request, error)
	}{
		{&res.direct1, "direct", 1, low, rig.direct(rig.provider.URL)},
		{&res.via1, "intermediary", 1, low, rig.through(rig.via.URL)},
		{&res.direct, "direct", clients, d, rig.direct(rig.provider.URL)},
		{&res.via, "intermediary", clients, d, rig.through(rig.via.URL)},
	} {
		if *step.out, err = load(ctx, step.name, step.clients, step.d, step.req); err != nil {
			return nil, err
		}
	}
	// The budget's case: the two paths take turns in short rounds, so that
	// the machine's other load falls on both alike. The profile, if any,
	// covers it (both paths).
	budgetCase := func() (err error) {
		res.directSlow, res.viaSlow, err = alternate(d,
			func(d time.Duration) (loadSamples, error) {
				return loadRaw(ctx, "direct", clients, d, rig.direct(rig.slowProvider.URL))
			},
			func(d time.Duration) (loadSamples, error) {
				return loadRaw(ctx, "intermediary", clients, d, rig.through(rig.viaSlow.URL))
			}, clients)
		return err
	}
	if profile != "" {
		err = withCPUProfile(profile, budgetCase)
	} else {
		err = budgetCase()
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// proxyRig is what measureProxy loads: the sandbox, the same sandbox behind
// a fixed service time, and intermediaries in front of them.
type proxyRig struct {
	token, desc            string
	provider, slowProvider *httptest.Server
	via, viaSlow           *httptest.Server
	quiet                  *slog.Logger
}

func newProxyRig(ctx context.Context, clients int) (_ *proxyRig, err error) {
	// Logging off (slog.DiscardHandler formats nothing): this measures
	// the proxy, not a log handler.
	r := &proxyRig{quiet: slog.New(slog.DiscardHandler)}
	defer func() {
		if err != nil {
			r.close()
		}
	}()
	sb, err := sandbox.New(sandbox.Config{Logger: r.quiet})
	if err != nil {
		return nil, err
	}
	r.provider = httptest.NewServer(sb.Handler())
	if r.token, err = clientCredentials(ctx, r.provider.URL, sb); err != nil {
		return nil, err
	}
	// The same sandbox behind a fixed service time: a real provider is
	// across a network and does real work.
	r.slowProvider = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		time.Sleep(providerDelay)
		sb.Handler().ServeHTTP(w, req)
	}))
	if r.desc, err = descriptor.Encode(descriptor.Request{Method: "GET", Path: "/v2/organization"}); err != nil {
		return nil, err
	}
	// The default client, as the demo mounts it.
	if r.via, err = r.newVia(nil, r.provider.URL); err != nil {
		return nil, err
	}
	r.viaSlow, err = r.newVia(nil, r.slowProvider.URL)
	return r, err
}

func (r *proxyRig) close() {
	for _, s := range []*httptest.Server{r.viaSlow, r.via, r.slowProvider, r.provider} {
		if s != nil {
			s.Close()
		}
	}
}

// newVia is an intermediary in front of providerURL with the bench's token.
func (r *proxyRig) newVia(client *http.Client, providerURL string) (*httptest.Server, error) {
	h, err := intermediary.New(intermediary.Config{
		ProviderURL:  providerURL,
		Token:        func(context.Context) (string, error) { return r.token, nil },
		Authenticate: func(*http.Request) bool { return true }, // the bench is the signed-in caller
		Client:       client,
		Logger:       r.quiet,
	})
	if err != nil {
		return nil, err
	}
	return httptest.NewServer(h), nil
}

// direct is the dispatch call made straight to the provider at base.
func (r *proxyRig) direct(base string) func(ctx context.Context) (*http.Request, error) {
	return func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+sandbox.DispatchPath, strings.NewReader(`{"data":"`+r.desc+`"}`))
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+r.token)
			req.Header.Set("Content-Type", "application/json")
		}
		return req, err
	}
}

// through is the page's call to the intermediary at base.
func (r *proxyRig) through(base string) func(ctx context.Context) (*http.Request, error) {
	return func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base, strings.NewReader(r.desc))
		if err == nil {
			// What the shim sends: the raw descriptor, the CSRF
			// header, a same-origin fetch.
			req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
			req.Header.Set(intermediary.CSRFHeader, "1")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
		}
		return req, err
	}
}

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

// withCPUProfile runs fn under the CPU profiler, writing the profile to
// path.
func withCPUProfile(path string, fn func() error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	defer pprof.StopCPUProfile()
	return fn()
}

// cpuTime is this process's user + system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// clientCredentials gets a provider access token from the sandbox, as the
// dev server does.
func clientCredentials(ctx context.Context, base string, sb *sandbox.Sandbox) (string, error) {
	id, secret := sb.ClientCredentials()
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/auth/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	if err != nil {
		return "", err
	}
	r.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("sandbox token endpoint: HTTP %d, %v", res.StatusCode, err)
	}
	return tok.AccessToken, nil
}

// loadSamples is one load run's raw results.
type loadSamples struct {
	lat     []float64 // ms per request
	errors  int
	elapsed time.Duration
	cpu     time.Duration // the process's CPU time over elapsed
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
		}
	}
	return sums[0].run("direct", clients), sums[1].run("intermediary", clients), nil
}

func (s loadSamples) run(name string, clients int) proxyRun {
	r := proxyRun{name: name, clients: clients, requests: len(s.lat), errors: s.errors,
		rps: float64(len(s.lat)) / s.elapsed.Seconds(), lat: summarize(s.lat)}
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

// loadRaw is load's measurement, unsummarised.
func loadRaw(ctx context.Context, name string, clients int, d time.Duration, newReq func(context.Context) (*http.Request, error)) (loadSamples, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 2 * clients
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	one := func(ctx context.Context) (time.Duration, bool, error) { return timedCall(ctx, hc, newReq) }
	if err := warmUp(ctx, clients, one); err != nil {
		return loadSamples{}, fmt.Errorf("%s: %w", name, err)
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

// providerDelay is the service time of the "real provider" rows: a fast
// API in the same region.
const providerDelay = 10 * time.Millisecond
