// Package transport is the shape of one HTTP exchange as the shim's
// pipeline (wasm/client) sends it and the page's fetch (jsbridge.Fetch)
// carries it. It is a leaf: the Go<->JS boundary depends on it, not on the
// pipeline.
package transport

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
