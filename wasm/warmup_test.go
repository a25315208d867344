//go:build js && wasm

package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/internal/strictjson"
	"github.com/sealbridge/sealbridge/wasm/seal"
	"github.com/sealbridge/sealbridge/wasm/webcrypto"
)

// The warm-up's made-up key must pass every import check, or the warm-up
// would stop at the first one and leave the rest of the import cold; it
// must leave a measure the page can read.
func TestWarmUpRunsTheWholeImport(t *testing.T) {
	if _, err := seal.ImportKey(warmUpJWK(), seal.ImportOptions{}, webcrypto.Crypto{}); err != nil {
		t.Fatalf("the warm-up key does not import: %v", err)
	}
	if err := warmUp(webcrypto.Crypto{}); err != nil {
		t.Fatalf("warmUp: %v", err)
	}
	perf := safejs.MustGetGlobal("performance")
	entries, err := perf.Call("getEntriesByName", warmUpMeasure)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := entries.Length(); n != 1 {
		t.Fatalf("%d %q measures, want 1", n, warmUpMeasure)
	}
}

// The warm-up's modulus is 2048 bits, all set: the hand-written base64url
// must say exactly that.
func TestWarmUpModulusIsAllOnes(t *testing.T) {
	m, err := strictjson.DecodeObject(warmUpJWK())
	if err != nil {
		t.Fatal(err)
	}
	var n string
	if err := json.Unmarshal(m["n"], &n); err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, bytes.Repeat([]byte{0xff}, 256)) {
		t.Fatalf("the modulus is %x", raw)
	}
}
