package server

import (
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// callAs sends one request as b, from the address forwardedFor names (the
// server trusts loopback as its balancer), and returns the status.
func (b *browser) callAs(srv *Server, forwardedFor, method, path, body string) (int, error) {
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Origin", srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set(CSRFHeader, "1")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", forwardedFor)
	res, err := b.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, err = io.Copy(io.Discard, res.Body)
	return res.StatusCode, err
}

// 200 clients, each signed in with its own session from its own address,
// call the intermediary and mint a checkout token all at once: every call
// succeeds, the provider is asked for the server's own token once, and
// the server's goroutines come back down afterwards.
func TestTwoHundredConcurrentClients(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")} })
	const n = 200
	clients := make([]*browser, n)
	addr := func(i int) string { return fmt.Sprintf("198.51.%d.%d", 100+i/200, 1+i%200) }
	for i := range clients {
		clients[i] = newBrowser(t)
		status, err := clients[i].callAs(e.srv, addr(i), http.MethodPost, "/api/session", `{"user":"demo"}`)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, status)
	}
	before := runtime.NumGoroutine()

	var wg sync.WaitGroup
	failures := make(chan string, 2*n)
	start := make(chan struct{})
	for i, b := range clients {
		for _, c := range []struct{ path, body string }{
			{"/api/embed-intermediary", intermediaryBody(t)},
			{"/api/checkout-token", `{"invoice_id":"inv_1001"}`},
		} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if status, err := b.callAs(e.srv, addr(i), http.MethodPost, c.path, c.body); err != nil || status != http.StatusOK {
					failures <- fmt.Sprintf("client %d %s: %d %v", i, c.path, status, err)
				}
			}()
		}
	}
	close(start)
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Error(f)
	}
	assert.Equal(t, 1, e.srv.Sandbox.ServerTokenGrants(), "one client-credentials token for all callers")
	// The pools' idle keep-alive connections are not a leak: close them,
	// then everything the calls started must be gone.
	for _, b := range clients {
		b.hc.CloseIdleConnections()
	}
	e.srv.provider.http.CloseIdleConnections()
	assert.Eventually(t, func() bool { return runtime.NumGoroutine() <= before+10 }, 10*time.Second, 50*time.Millisecond,
		"goroutines back down (%d before)", before)
}
