package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime/pprof"
	"strings"
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
	// held is how long each timed server's handler held a call (see
	// stopwatch), in the order the run names them.
	held []summary
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
				return loadRaw(ctx, "direct", clients, d, rig.direct(rig.slowProvider.URL), &rig.providerHeld)
			},
			func(d time.Duration) (loadSamples, error) {
				return loadRaw(ctx, "intermediary", clients, d, rig.through(rig.viaSlow.URL), &rig.viaHeld, &rig.providerHeld)
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
	// In the budget's case: how long the slow provider's handler (its
	// wait included) and viaSlow's handler held each call.
	providerHeld, viaHeld stopwatch
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
	r.slowProvider = httptest.NewServer(r.providerHeld.wrap(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		time.Sleep(providerDelay)
		sb.Handler().ServeHTTP(w, req)
	})))
	if r.desc, err = descriptor.Encode(descriptor.Request{Method: "GET", Path: "/v2/organization"}); err != nil {
		return nil, err
	}
	// The default client, as the demo mounts it.
	if r.via, err = r.newVia(nil, r.provider.URL, nil); err != nil {
		return nil, err
	}
	r.viaSlow, err = r.newVia(nil, r.slowProvider.URL, &r.viaHeld)
	return r, err
}

func (r *proxyRig) close() {
	for _, s := range []*httptest.Server{r.viaSlow, r.via, r.slowProvider, r.provider} {
		if s != nil {
			s.Close()
		}
	}
}

// newVia is an intermediary in front of providerURL with the bench's
// token, its handler timed by held if that is not nil.
func (r *proxyRig) newVia(client *http.Client, providerURL string, held *stopwatch) (*httptest.Server, error) {
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
	if held != nil {
		h = held.wrap(h)
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

// providerDelay is the service time of the "real provider" rows: a fast
// API in the same region.
const providerDelay = 10 * time.Millisecond
