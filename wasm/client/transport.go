// Package client is the shim's request pipeline in pure Go: it seals,
// encodes, sends, decodes and renews over a Transport, so that all of it is
// testable natively. In the page the Transport is the browser's fetch
// (jsbridge.Fetch); in tests it is a fake or an httptest server.
package client

import "context"

// Request is one HTTP request as the Transport sends it.
type Request struct {
	Method  string
	URL     string
	Headers map[string]string
	Body    []byte
}

// Response is what came back. Headers are lower-cased names.
type Response struct {
	Status  int
	Headers map[string]string
	Body    []byte
}

// Transport sends one request. It must honour ctx cancellation and return
// a *sberr.Error (network_error, timeout) when no response arrived.
type Transport interface {
	RoundTrip(ctx context.Context, req *Request) (*Response, error)
}
