// Package client is the shim's request pipeline in pure Go: it seals,
// encodes, sends, decodes and renews over a Transport, so that all of it is
// testable natively. In the page the Transport is the browser's fetch
// (jsbridge.Fetch); in tests it is a fake or an httptest server.
package client

import "github.com/sealbridge/sealbridge/wasm/transport"

// Request, Response and Transport are the exchange's types, defined in the
// leaf package transport so that jsbridge need not import the pipeline.
type (
	Request   = transport.Request
	Response  = transport.Response
	Transport = transport.Transport
)
