//go:build js && wasm

package jsbridge

import (
	"encoding/base64"

	"github.com/hack-pad/safejs"
)

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// bytesToJS copies b into a new Uint8Array.
func bytesToJS(b []byte) (safejs.Value, error) {
	u8, err := safejs.MustGetGlobal("Uint8Array").New(len(b))
	if err != nil {
		return safejs.Value{}, err
	}
	if _, err := safejs.CopyBytesToJS(u8, b); err != nil {
		return safejs.Value{}, err
	}
	return u8, nil
}

// bytesFromJS copies an ArrayBuffer or a Uint8Array into Go.
func bytesFromJS(v safejs.Value) ([]byte, error) {
	u8, err := safejs.MustGetGlobal("Uint8Array").New(v)
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
	u8, err := safejs.MustGetGlobal("Uint8Array").New(v)
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
