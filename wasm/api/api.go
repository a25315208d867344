// Package api is the shim's JavaScript API in pure Go: every export in
// wasm/main.go converts its JS arguments and calls one method here. Keeping
// the logic on this side of the boundary lets it be tested natively, with
// a fake Transport instead of the browser's fetch.
package api

import (
	"github.com/sealbridge/sealbridge/wasm/client"
	"github.com/sealbridge/sealbridge/wasm/seal"
)

// Shim holds the state of one loaded module: the key cache, the transport
// and the cryptography keys are imported into.
type Shim struct {
	keys      *seal.Cache
	sources   sources // where fetched keys came from, for key rotation
	transport client.Transport
	crypto    seal.Crypto
	clients   clients
}

// New returns a Shim that sends requests with t and seals with c (WebCrypto
// in the page).
func New(t client.Transport, c seal.Crypto) *Shim {
	return &Shim{keys: seal.NewCache(), transport: t, crypto: c}
}
