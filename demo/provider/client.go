// Package provider is how Sealbridge's servers reach the provider's API:
// one kind of HTTP client (NewHTTPClient, Harden) that never follows a
// redirect, keeps no cookies and bounds time and size, and one source of the
// server's own access token (Tokens: the OAuth 2.0 client-credentials grant,
// RFC 6749 §4.4, cached by x/oauth2). The dev server builds one of each and
// gives them to the intermediary, the checkout minter, the OAuth flows, the
// scoped-token verifier and the connections forwarder.
package provider

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// DefaultTimeout bounds one call to the provider, answer included.
const DefaultTimeout = 30 * time.Second

// maxResponseHeaderBytes bounds the provider's response headers.
const maxResponseHeaderBytes = 64 << 10

// maxIdlePerHost: every call goes to the one provider host, so keep enough
// idle connections for concurrent pages (Go's default is 2 per host, which
// makes each burst open and close connections).
const maxIdlePerHost = 64

// NewTransport returns a clone of http.DefaultTransport that waits at most
// headerTimeout for the answer's headers (0: no such bound), reads at most
// 64 KiB of them, and keeps 64 idle connections per host.
func NewTransport(headerTimeout time.Duration) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = headerTimeout
	t.MaxResponseHeaderBytes = maxResponseHeaderBytes
	t.MaxIdleConnsPerHost = maxIdlePerHost
	return t
}

// NewHTTPClient returns the client for provider calls: NewTransport, a
// whole-call timeout (0 means DefaultTimeout), no redirect, no cookie jar.
func NewHTTPClient(timeout time.Duration) *http.Client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return Harden(&http.Client{Transport: NewTransport(timeout), Timeout: timeout}, 0)
}

// Harden returns a copy of c (nil: NewHTTPClient(timeout)) that follows no
// redirect, since a redirect would carry the bearer token, the client
// secret or the staging token to whatever host Location names, and that
// keeps no cookies, since provider cookies would be shared by every caller.
// A zero Timeout becomes timeout.
func Harden(c *http.Client, timeout time.Duration) *http.Client {
	if c == nil {
		return NewHTTPClient(timeout)
	}
	cp := *c
	if cp.Timeout <= 0 {
		cp.Timeout = timeout
	}
	cp.Jar = nil
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

// ErrTooLarge is returned by ReadBody for an answer over its limit.
var ErrTooLarge = errors.New("provider: answer too large")

// ReadBody reads r to the end, at most max bytes; a longer answer gives an
// error wrapping ErrTooLarge, so no provider can make a server buffer
// without bound.
func ReadBody(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w: over %d bytes", ErrTooLarge, max)
	}
	return b, nil
}
