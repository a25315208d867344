package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/sealbridge/sealbridge/demo/intermediary"
	"github.com/sealbridge/sealbridge/demo/sandbox"
	"github.com/sealbridge/sealbridge/demo/session"
	"github.com/sealbridge/sealbridge/internal/redistest"
	"github.com/sealbridge/sealbridge/wasm/descriptor"
)

// storeRun is one session store's figures: one caller's Get and Update
// latencies on a signed-in session, and the intermediary's throughput
// when every call looks its session up in that store.
type storeRun struct {
	name        string
	get, update summary
	proxy       proxyRun
}

type sessionResults struct {
	ops      int
	clients  int
	duration time.Duration
	runs     []storeRun
}

// measureSessions runs the same measurements on the in-memory store and
// on a real redis-server on loopback (AOF on, fsync every write, as the
// README advises for production).
func measureSessions(ctx context.Context, clients int, d time.Duration) (*sessionResults, error) {
	dir, err := os.MkdirTemp("", "sealbridge-bench-redis-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	redis, err := redistest.Launch(dir)
	if err != nil {
		return nil, err
	}
	defer redis.Stop()
	res := &sessionResults{ops: 5000, clients: clients, duration: d}
	for _, kind := range []struct{ name, config string }{{"memory", ""}, {"Redis (loopback)", redis.URL()}} {
		store, err := session.Open(kind.config, session.Options{})
		if err != nil {
			return nil, err
		}
		run, err := measureStore(ctx, kind.name, store, res.ops, clients, d)
		store.Close()
		if err != nil {
			return nil, err
		}
		res.runs = append(res.runs, run)
	}
	return res, nil
}

func measureStore(ctx context.Context, name string, store *session.Sealed, ops, clients int, d time.Duration) (storeRun, error) {
	run := storeRun{name: name}
	sess := &session.Session{ID: session.NewID(), Created: time.Now(), User: "demo-user",
		Provider: &session.ProviderTokens{AccessToken: "bench-access", RefreshToken: "bench-refresh", UserID: "u1", Grant: "password"}}
	if err := store.Create(ctx, sess); err != nil {
		return run, err
	}
	var gets, updates []float64
	for i := range ops {
		t := time.Now()
		if _, err := store.Get(ctx, sess.ID); err != nil {
			return run, err
		}
		gets = append(gets, float64(time.Since(t))/float64(time.Millisecond))
		t = time.Now()
		err := store.Update(ctx, sess.ID, func(s *session.Session) error {
			p := *s.Provider
			p.DisplayName = fmt.Sprint(i)
			s.Provider = &p
			return nil
		})
		if err != nil {
			return run, err
		}
		updates = append(updates, float64(time.Since(t))/float64(time.Millisecond))
	}
	run.get, run.update = summarize(gets), summarize(updates)
	var err error
	run.proxy, err = proxyWithStore(ctx, name, store, sess.ID, clients, d)
	return run, err
}

// proxyWithStore loads the intermediary as the dev server mounts it: each
// call's session is looked up in store by its cookie.
func proxyWithStore(ctx context.Context, name string, store *session.Sealed, id string, clients int, d time.Duration) (proxyRun, error) {
	quiet := slog.New(slog.DiscardHandler)
	sb, err := sandbox.New(sandbox.Config{Logger: quiet})
	if err != nil {
		return proxyRun{}, err
	}
	provider := httptest.NewServer(sb.Handler())
	defer provider.Close()
	token, err := clientCredentials(ctx, provider.URL, sb)
	if err != nil {
		return proxyRun{}, err
	}
	sessions := &session.Sessions{Store: store}
	pooled := http.DefaultTransport.(*http.Transport).Clone()
	pooled.MaxIdleConnsPerHost = 2 * clients
	defer pooled.CloseIdleConnections()
	h, err := intermediary.New(intermediary.Config{
		ProviderURL:  provider.URL,
		Token:        func(context.Context) (string, error) { return token, nil },
		Authenticate: func(r *http.Request) bool { return sessions.Lookup(r) != nil },
		Client:       &http.Client{Transport: pooled},
		Logger:       quiet,
	})
	if err != nil {
		return proxyRun{}, err
	}
	via := httptest.NewServer(h)
	defer via.Close()
	desc, err := descriptor.Encode(descriptor.Request{Method: "GET", Path: "/v2/organization"})
	if err != nil {
		return proxyRun{}, err
	}
	cookie := (&http.Cookie{Name: sessions.CookieName(), Value: id}).String()
	return load(ctx, "intermediary, sessions in "+name, clients, d, func(ctx context.Context) (*http.Request, error) {
		r, err := http.NewRequestWithContext(ctx, http.MethodPost, via.URL, strings.NewReader(desc))
		if err == nil {
			r.Header.Set("Content-Type", "text/plain;charset=UTF-8")
			r.Header.Set(intermediary.CSRFHeader, "1")
			r.Header.Set("Sec-Fetch-Site", "same-origin")
			r.Header.Set("Cookie", cookie)
		}
		return r, err
	})
}

func (r *results) sessionTables() []*table {
	s := r.sessions
	lat := &table{
		title: fmt.Sprintf("Session store: one caller, %d Get and %d Update of one signed-in session (sealed: HKDF + AES-256-GCM each time)", s.ops, s.ops),
		head:  []string{"store", "Get p50 (ms)", "Get p99 (ms)", "Update p50 (ms)", "Update p99 (ms)"},
	}
	thr := &table{
		title: fmt.Sprintf("Intermediary with each store: GET /v2/organization as a descriptor, %d concurrent clients for %s, each call's session looked up by its cookie", s.clients, s.duration),
		head:  []string{"store", "requests/s", "p50 (ms)", "p99 (ms)", "errors"},
	}
	for _, run := range s.runs {
		lat.add(run.name, ms(run.get.Median), ms(run.get.P99), ms(run.update.Median), ms(run.update.P99))
		thr.add(run.name, fmt.Sprintf("%.0f", run.proxy.rps), ms(run.proxy.lat.Median), ms(run.proxy.lat.P99), fmt.Sprint(run.proxy.errors))
	}
	lat.notes = append(lat.notes, "Redis is a real redis-server on loopback with appendonly yes and appendfsync always: every Update is a compare-and-set script and one fsync. Get is GET and PTTL in one round trip.")
	return []*table{lat, thr}
}
