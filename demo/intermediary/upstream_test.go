package intermediary

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// hang blocks until the intermediary gives up on the request.
func hang(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

func TestUpstreamHangTimesOut(t *testing.T) {
	e := newEnv(t, hang, func(c *Config) { c.Timeout = 150 * time.Millisecond })
	start := time.Now()
	res, b := e.call(t, goldenGET, nil)
	e.requireError(t, res, b, http.StatusGatewayTimeout, "upstream_timeout")
	require.Less(t, time.Since(start), 5*time.Second, "504 must come within the deadline")
}

func TestUpstreamTrickleTimesOut(t *testing.T) {
	e := newEnv(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "eyJo")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}, func(c *Config) { c.Timeout = 150 * time.Millisecond })
	res, b := e.call(t, goldenGET, nil)
	e.requireError(t, res, b, http.StatusGatewayTimeout, "upstream_timeout")
}

// A token source that blocks counts against the same deadline.
func TestTokenHangTimesOut(t *testing.T) {
	e := newEnv(t, nil, func(c *Config) {
		c.Timeout = 100 * time.Millisecond
		c.Token = func(ctx context.Context) (string, error) { <-ctx.Done(); return "", ctx.Err() }
	})
	res, b := e.call(t, goldenGET, nil)
	e.requireError(t, res, b, http.StatusGatewayTimeout, "upstream_timeout")
	require.Zero(t, e.up.hits.Load())
}

// When the caller goes away, the upstream call is cancelled.
func TestClientCancelPropagates(t *testing.T) {
	started, cancelled := make(chan struct{}), make(chan struct{})
	e := newEnv(t, func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
		close(cancelled)
	}, nil) // default 25 s deadline: only the cancel can end this
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.URL, strings.NewReader(goldenGET))
	require.NoError(t, err)
	req.Header.Set(CSRFHeader, "1")
	req.AddCookie(&http.Cookie{Name: "sid", Value: "ok"})
	errc := make(chan error, 1)
	go func() {
		res, err := e.srv.Client().Do(req)
		if err == nil {
			res.Body.Close()
		}
		errc <- err
	}()
	<-started
	cancel()
	require.Error(t, <-errc)
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("the upstream call was not cancelled with the caller")
	}
}

// Provider errors are the provider's answer: status and body pass through.
func TestProviderErrorsPassThrough(t *testing.T) {
	for _, status := range []int{400, 401, 404, 422, 428, 500, 503} {
		body := envelope(`{"errors":[{"code":"x","detail":"provider said so"}]}`)
		e := newEnv(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}, nil)
		res, b := e.call(t, goldenGET, nil)
		require.Equal(t, status, res.StatusCode)
		require.Equal(t, body, string(b))
		require.Equal(t, "text/plain; charset=utf-8", res.Header.Get("Content-Type"))
	}
}

// POST is never retried, even when the connection dies after the request
// was sent on a reused keep-alive connection.
func TestConnectionResetIs502AndNotRetried(t *testing.T) {
	var calls atomic.Int32
	e := newEnv(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			echoEnvelope(w, r)
			return
		}
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}, nil)
	res, _ := e.call(t, goldenGET, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	res, b := e.call(t, goldenGET, nil)
	e.requireError(t, res, b, http.StatusBadGateway, "upstream_unavailable")
	require.EqualValues(t, 2, e.up.hits.Load(), "the POST was retried")
}

func TestConnectionRefusedIs502(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	url := dead.URL
	dead.Close()
	e := newEnv(t, nil, func(c *Config) { c.ProviderURL = url })
	res, b := e.call(t, goldenGET, nil)
	msg := e.requireError(t, res, b, http.StatusBadGateway, "upstream_unavailable")
	require.NotContains(t, msg, "127.0.0.1", "no URL in the message")
}

// A redirect is not followed: the other host gets nothing, so never the
// access or staging token, whatever the redirect code.
func TestRedirectNotFollowed(t *testing.T) {
	other := newStub(t, nil)
	for _, code := range []int{301, 302, 303, 307, 308} {
		e := newEnv(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", other.srv.URL+"/steal")
			w.WriteHeader(code)
			_, _ = io.WriteString(w, envelope(`{}`))
		}, nil)
		res, b := e.call(t, goldenGET, nil)
		msg := e.requireError(t, res, b, http.StatusBadGateway, "upstream_unavailable")
		require.NotContains(t, msg, "steal")
		require.Empty(t, res.Header.Get("Location"))
	}
	require.Zero(t, other.hits.Load())

	// Even a caller-supplied client that follows redirects does not.
	e := newEnv(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.srv.URL+"/steal", http.StatusTemporaryRedirect)
	}, func(c *Config) { c.Client = &http.Client{} })
	res, b := e.call(t, goldenGET, nil)
	e.requireError(t, res, b, http.StatusBadGateway, "upstream_unavailable")
	require.Zero(t, other.hits.Load())
}

func TestOversizeUpstreamIs502(t *testing.T) {
	e := newEnv(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, envelope(`{"pad":"`+strings.Repeat("x", 4000)+`"}`))
	}, func(c *Config) { c.MaxUpstream = 1024 })
	res, b := e.call(t, goldenGET, nil)
	e.requireError(t, res, b, http.StatusBadGateway, "upstream_unavailable")
}

func TestNonEnvelopeUpstreamIs502(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
	}{
		{200, "<html><body>Bad gateway</body></html>"},
		{502, "<html><body>Bad gateway</body></html>"},
		{200, `{"organization":{}}`},
		{401, `{"errors":[{"code":"unauthorized"}]}`},
		{200, ""},
		{200, b64("not json")},
		{200, b64(`[1,2]`)},
		{200, envelope(`{}`) + "\n"},
	} {
		e := newEnv(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tc.status)
			_, _ = io.WriteString(w, tc.body)
		}, nil)
		res, b := e.call(t, goldenGET, nil)
		msg := e.requireError(t, res, b, http.StatusBadGateway, "bad_response")
		require.NotContains(t, msg, "html")
	}
}

// No upstream header reaches the caller: not its cookies, CORS grants or
// content type.
func TestUpstreamHeadersNotForwarded(t *testing.T) {
	e := newEnv(t, func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Set-Cookie", "provider_session=abc; Path=/")
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Set("Content-Type", "text/html")
		h.Set("X-Provider-Internal", "1")
		h.Set("Location", "http://evil.example/")
		_, _ = io.WriteString(w, envelope(`{"ok":true}`))
	}, nil)
	res, b := e.call(t, goldenGET, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, envelope(`{"ok":true}`), string(b))
	require.Equal(t, "text/plain; charset=utf-8", res.Header.Get("Content-Type"))
	for _, h := range []string{"Set-Cookie", "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "X-Provider-Internal", "Location"} {
		require.Empty(t, res.Header.Values(h), h)
	}
	// And a client with a cookie jar does not replay provider cookies.
	require.Empty(t, e.h.client.Jar)
}

// Many timed-out and cancelled calls leave no goroutine behind.
func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		e := newEnv(t, hang, func(c *Config) { c.Timeout = 50 * time.Millisecond })
		for range 20 {
			res, _ := e.call(t, goldenGET, nil)
			require.Equal(t, http.StatusGatewayTimeout, res.StatusCode)
		}
		e.srv.Close()
		e.up.srv.Close()
		e.h.client.CloseIdleConnections()
		e.srv.Client().CloseIdleConnections()
	}()
	require.Eventually(t, func() bool { return runtime.NumGoroutine() <= before+2 }, 5*time.Second, 20*time.Millisecond,
		"goroutines: %d before, %d after", before, runtime.NumGoroutine())
}

// The handler calls the client's transport itself: a Timeout on the
// integrator's client, shorter than Config.Timeout, must still end a
// call that hangs, before the headers or in the body.
func TestClientTimeoutStillBounds(t *testing.T) {
	for name, up := range map[string]http.HandlerFunc{
		"no headers": hang,
		"trickled body": func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "eyJo")
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, up, func(c *Config) { c.Client = &http.Client{Timeout: 150 * time.Millisecond} })
			start := time.Now()
			res, b := e.call(t, goldenGET, nil)
			e.requireError(t, res, b, http.StatusGatewayTimeout, "upstream_timeout")
			require.Less(t, time.Since(start), 5*time.Second, "the client's Timeout must end the call, not Config.Timeout's 25 s")
		})
	}
}

// An answer is sent with its length, however large: over net/http's
// 2 KiB buffer it would otherwise go chunked.
func TestAnswersCarryTheirLength(t *testing.T) {
	for _, size := range []int{10, 1500, 3000, 100 << 10} {
		body := envelope(`{"pad":"` + strings.Repeat("x", size) + `"}`)
		e := newEnv(t, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, body) }, nil)
		res, b := e.call(t, goldenGET, nil)
		require.Equal(t, http.StatusOK, res.StatusCode)
		require.Equal(t, body, string(b))
		require.EqualValues(t, len(body), res.ContentLength)
		require.Empty(t, res.TransferEncoding)
		// The handler's own answers too.
		res, b = e.call(t, "not base64!", nil)
		require.Equal(t, http.StatusBadRequest, res.StatusCode)
		require.EqualValues(t, len(b), res.ContentLength)
	}
}
