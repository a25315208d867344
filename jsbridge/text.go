//go:build js && wasm

package jsbridge

import (
	"sync"

	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// Text the page hands in that may hold credentials (a value to seal, a
// document with fields to seal, a request's body) comes into Go as bytes
// in one buffer the caller owns and wipes once done. syscall/js's String
// cannot give that: it copies the text into a buffer it drops, then into
// a Go string, and neither can be wiped, so both stay in memory until the
// garbage collector reuses it (Go does not zero what it frees).

// textEncoder is one TextEncoder, made once: a lookup is a call across the
// boundary.
var textEncoder = sync.OnceValues(func() (safejs.Value, error) {
	return safejs.MustGetGlobal("TextEncoder").New()
})

// StringBytes reads a required string argument as its UTF-8 bytes (a lone
// surrogate as U+FFFD, as String reads it), in a buffer that nothing else
// in Go refers to: the caller wipes it once the value is used.
func StringBytes(v safejs.Value, name string) ([]byte, error) {
	if v.Type() != safejs.TypeString {
		return nil, sberr.New(sberr.InvalidArgument, "%s must be a string, got %s", name, describe(v))
	}
	return utf8Of(v)
}

// utf8Of copies the JS string s into Go as UTF-8: TextEncoder writes it
// into a JS buffer, which is copied once into a Go buffer of its exact
// size and then zeroed.
func utf8Of(s safejs.Value) ([]byte, error) {
	enc, err := textEncoder()
	if err != nil {
		return nil, err
	}
	u8, err := enc.Call("encode", s)
	if err != nil {
		return nil, err
	}
	defer zeroJS(u8)
	n, err := u8.Length()
	if err != nil {
		return nil, err
	}
	b := make([]byte, n)
	if _, err := safejs.CopyBytesToGo(b, u8); err != nil {
		clear(b)
		return nil, err
	}
	return b, nil
}
