//go:build js && wasm

package jsbridge

import (
	"encoding/base64"
	"sync"

	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// uint8Array is the global Uint8Array, looked up once: a lookup is a call
// across the boundary, and the seal paths copy bytes on every call.
var uint8Array = sync.OnceValue(func() safejs.Value { return safejs.MustGetGlobal("Uint8Array") })

// bytesToJS copies b into a new Uint8Array.
func bytesToJS(b []byte) (safejs.Value, error) {
	u8, err := uint8Array().New(len(b))
	if err != nil {
		return safejs.Value{}, err
	}
	if _, err := safejs.CopyBytesToJS(u8, b); err != nil {
		return safejs.Value{}, err
	}
	return u8, nil
}

// zeroJS fills the typed array v with zeros (nothing when v is not an
// object, e.g. a copy that was never made): the JS copies of keys and
// values in clear are wiped once used rather than left for the JavaScript
// garbage collector. A failure is ignored: there is nothing better to do.
func zeroJS(v safejs.Value) {
	if v.Type() == safejs.TypeObject {
		_, _ = v.Call("fill", 0)
	}
}

// bytesFromJS copies an ArrayBuffer or a Uint8Array into Go.
func bytesFromJS(v safejs.Value) ([]byte, error) {
	u8, err := uint8Array().New(v)
	if err != nil {
		return nil, err
	}
	n, err := u8.Length()
	if err != nil {
		return nil, err
	}
	b := make([]byte, n)
	if _, err := safejs.CopyBytesToGo(b, u8); err != nil {
		return nil, err
	}
	return b, nil
}

// bufferAt copies element i of a JS array of ArrayBuffers into Go, when
// the caller knows how long it should be: one call fewer than asking JS.
// A longer buffer comes back one byte longer than expected, for the caller
// to refuse.
func bufferAt(arr safejs.Value, i, expected int) ([]byte, error) {
	v, err := arr.Index(i)
	if err != nil {
		return nil, err
	}
	u8, err := uint8Array().New(v)
	if err != nil {
		return nil, err
	}
	b := make([]byte, expected+1)
	n, err := safejs.CopyBytesToGo(b, u8)
	if err != nil {
		return nil, err
	}
	return b[:n], nil
}

// BytesToJS copies b into a new Uint8Array.
func BytesToJS(b []byte) (safejs.Value, error) { return bytesToJS(b) }

// BytesFromJS copies a Uint8Array of at most max bytes into Go; a longer
// one is refused before anything is copied.
func BytesFromJS(v safejs.Value, max int, name string) ([]byte, error) {
	if v.Type() != safejs.TypeObject {
		return nil, sberr.New(sberr.InvalidArgument, "%s must be a Uint8Array", name)
	}
	n, err := v.Length()
	if err != nil {
		return nil, sberr.Wrap(err, sberr.InvalidArgument, "%s must be a Uint8Array: %v", name, err)
	}
	if n > max {
		return nil, sberr.New(sberr.InvalidArgument, "%s is %d bytes, over %d", name, n, max)
	}
	b := make([]byte, n)
	if _, err := safejs.CopyBytesToGo(b, v); err != nil {
		return nil, sberr.Wrap(err, sberr.InvalidArgument, "%s must be a Uint8Array: %v", name, err)
	}
	return b, nil
}
