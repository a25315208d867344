//go:build js && wasm

package main

import (
	"testing"

	"github.com/hack-pad/safejs"

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
