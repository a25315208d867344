package server

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStartServesOnLoopbackWithSandbox(t *testing.T) {
	e := newEnv(t)
	assert.True(t, strings.HasPrefix(e.srv.URL, "http://127.0.0.1:"), e.srv.URL)
	require.NotNil(t, e.srv.Sandbox, "no provider configured: the sandbox runs")
	assert.True(t, strings.HasPrefix(e.srv.ProviderURL, "http://127.0.0.1:"), e.srv.ProviderURL)
	assert.NotEqual(t, e.srv.URL, e.srv.ProviderURL, "the sandbox has its own origin")
}

// A failed Start releases what it took: the listen address can be used
// again at once.
func TestStartFailureReleasesAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	// The frame origin on a port of its own: the next port may be taken.
	_, err = Start(Config{Addr: addr, FrameAddr: "127.0.0.1:0", DistDir: t.TempDir()})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sealbridge.wasm")

	ln, err = net.Listen("tcp", addr)
	require.NoError(t, err, "the address is still held after a failed Start")
	require.NoError(t, ln.Close())
}

func TestStartAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	_, err = Start(Config{Addr: ln.Addr().String(), FrameAddr: "127.0.0.1:0", DistDir: distDir(t)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), ln.Addr().String())
}

// Every phase of a request is bounded, on the dev server
// and on the sandbox alike.
func TestHTTPServerTimeouts(t *testing.T) {
	e := newEnv(t)
	for name, s := range map[string]*http.Server{"dev server": e.srv.http, "sandbox": e.srv.sandboxHTTP} {
		require.NotNil(t, s, name)
		assert.Positive(t, s.ReadHeaderTimeout, "%s ReadHeaderTimeout", name)
		assert.LessOrEqual(t, s.ReadHeaderTimeout, 10*time.Second, "%s ReadHeaderTimeout", name)
		assert.Positive(t, s.ReadTimeout, "%s ReadTimeout", name)
		assert.Positive(t, s.WriteTimeout, "%s WriteTimeout", name)
		assert.Positive(t, s.IdleTimeout, "%s IdleTimeout", name)
		assert.Positive(t, s.MaxHeaderBytes, "%s MaxHeaderBytes", name)
		assert.LessOrEqual(t, s.MaxHeaderBytes, 1<<20, "%s MaxHeaderBytes", name)
	}
}

// Slowloris: a client that sends half a header and goes silent is cut off
// by ReadHeaderTimeout (5 s) instead of holding the connection. The test
// waits at most 10 s.
func TestSlowlorisIsDisconnected(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.srv.URL, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
	require.NoError(t, err)

	start := time.Now()
	require.NoError(t, conn.SetReadDeadline(start.Add(10*time.Second)))
	_, err = io.ReadAll(conn) // returns when the server closes the connection
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the server still held a half-sent request after %v", time.Since(start).Round(time.Millisecond))
	}
	// A close or a reset both mean the server let go.
	assert.Less(t, time.Since(start), 10*time.Second)
}

// A header bomb (many or huge header lines) is refused with 431 before any
// handler runs, on each of the servers this one starts.
func TestHeaderBombIsRefused(t *testing.T) {
	e := newEnv(t)
	for name, url := range map[string]string{"dev server": e.srv.URL, "sandbox": e.srv.ProviderURL} {
		for shape, add := range map[string]func(http.Header){
			"one 64 KiB header": func(h http.Header) { h.Set("X-Bomb", strings.Repeat("a", 64<<10)) },
			"4096 small headers": func(h http.Header) {
				for i := range 4096 {
					h.Set(fmt.Sprintf("X-Bomb-%d", i), "aaaaaaaaaaaaaaaa")
				}
			},
		} {
			req, err := http.NewRequest("GET", url+"/healthz", nil)
			require.NoError(t, err)
			add(req.Header)
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err, "%s, %s", name, shape)
			res.Body.Close()
			assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, res.StatusCode, "%s, %s", name, shape)
		}
	}
}
