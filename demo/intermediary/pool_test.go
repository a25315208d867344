package intermediary

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// With the default client, concurrent calls keep their upstream
// connections between bursts: each burst of 32 calls at once (the load
// test's clients) reuses the 32 connections the first one opened. Go's
// default of 2 idle connections per host would close 30 after every burst
// and dial them again on the next, a TCP handshake on the hop of most
// calls.
func TestDefaultClientKeepsAConnectionPerConcurrentCall(t *testing.T) {
	const calls, bursts = 32, 3
	var dials atomic.Int32
	var burst sync.WaitGroup // every call of a burst is at the provider at once
	provider := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		burst.Done()
		allIn := make(chan struct{})
		go func() { burst.Wait(); close(allIn) }()
		select {
		case <-allIn:
		case <-time.After(5 * time.Second): // a test that fails, not one that hangs
		}
		echoEnvelope(w, r)
	}))
	provider.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dials.Add(1)
		}
	}
	provider.Start()
	t.Cleanup(provider.Close)
	cfg := baseConfig(provider.URL) // Client nil: the default
	h, err := newHandler(cfg)
	require.NoError(t, err)
	via := httptest.NewServer(h)
	t.Cleanup(via.Close)
	page := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: calls}}
	t.Cleanup(page.CloseIdleConnections)

	for b := range bursts {
		burst.Add(calls)
		var wg sync.WaitGroup
		errs := make(chan error, calls)
		for range calls {
			wg.Go(func() { errs <- pageCall(page, via.URL) })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err, "burst %d", b)
		}
		// The transport puts a connection back once its answer has been
		// read, just after the caller has it: let it.
		time.Sleep(50 * time.Millisecond)
		require.EqualValues(t, calls, dials.Load(), "connections opened to the provider after burst %d of %d concurrent calls", b+1, calls)
	}
}

// pageCall is one call as the page makes it, which must be answered 200.
func pageCall(c *http.Client, url string) error {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, strings.NewReader(goldenGET))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	req.Header.Set(CSRFHeader, "1")
	req.AddCookie(&http.Cookie{Name: "sid", Value: "ok"})
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return &statusError{res.StatusCode}
	}
	return nil
}

type statusError struct{ status int }

func (e *statusError) Error() string { return "HTTP " + http.StatusText(e.status) }
