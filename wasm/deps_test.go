//go:build !js

package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// forbidden are packages the shim must not link, each with the reason. The
// module's size is what a page pays before its first seal (see
// docs/benchmarks.md); these are the big avoidable costs.
var forbidden = map[string]string{
	"net/http": "adds a whole HTTP stack that would go through fetch anyway: use jsbridge.Fetch",
	// wasm/seal writes JWEs with the standard library (jwe.go); go-jose
	// stays for tests and servers.
	"github.com/go-jose/go-jose/v4": "pulls crypto/x509, net, ECDSA and Ed25519 for features the wire format forbids",
	"crypto/x509":                   "parses certificates the shim never sees, and pulls net and every curve",
	// The page's WebCrypto does RSA-OAEP-256, A256GCM and SHA-256
	// (jsbridge/webcrypto.go): native and constant-time, where Go's RSA in
	// WebAssembly is neither.
	"crypto/rsa":    "duplicates crypto.subtle, which seals natively (jsbridge.ImportRSAOAEP256); Go's RSA in wasm is slow and not constant-time",
	"crypto/aes":    "duplicates crypto.subtle's native AES-GCM",
	"crypto/cipher": "duplicates crypto.subtle's native AES-GCM (crypto/sha256 pulls it in: hash with jsbridge.SHA256)",
	"math/big":      "is not needed: the key rules work on the modulus bytes (crypto/rand pulls it in: randomness comes from crypto.getRandomValues)",
	"mime":          "adds about 40 KB of code (with bufio) for one media-type check",
	// JSON is read by internal/strictjson (the one rule set) and written by
	// hand (strictjson.AppendString, AppendCompact; descriptor's writer).
	"encoding/json": "adds about 100 KB of brotli (its reflection-driven codec, and the sort and unicode code it pulls): read with internal/strictjson, write with strictjson.AppendString",
	"net/url":       "links net/netip, unique and weak, whose initialisation runs at every start-up (18 KB of brotli): check URLs with jsbridge.HTTPURL (the page's parser, the one fetch uses), escape queries with the client's queryEscape",
	"crypto/sha256": "links Go's FIPS module (AES, SHA-3, HMAC, a DRBG: about 80 KB of code): hash with jsbridge.SHA256, or hash/fnv where nothing depends on the hash",
}

// TestWasmDependencies runs natively (it is part of `make test-go`): it
// lists what ./wasm links when built for the browser and fails on any
// forbidden package or one below it.
func TestWasmDependencies(t *testing.T) {
	readSources(t)
	cmd := exec.Command("go", "list", "-deps", ".")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps (GOOS=js GOARCH=wasm): %v\n%s", err, stderrOf(err))
	}
	deps := strings.Fields(string(out))
	// Guard against a vacuous pass: the list must be the shim's.
	if !contains(deps, "syscall/js") || !contains(deps, "github.com/sealbridge/sealbridge/wasm/seal") {
		t.Fatalf("go list -deps did not list the shim's dependencies:\n%s", out)
	}
	for _, d := range deps {
		for bad, why := range forbidden {
			if d == bad || strings.HasPrefix(d, bad+"/") {
				t.Errorf("the wasm module links %s: it %s", d, why)
			}
		}
	}
}

// readSources reads every Go file of the module's packages the shim links,
// and go.mod: go test caches a passing result for as long as the files a
// test reads do not change, and without this it would not know that the
// answer of the go list it runs depends on them.
func readSources(t *testing.T) {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-f", `{{if not .Standard}}{{.Dir}}{{end}}`, ".")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderrOf(err))
	}
	for _, dir := range append(strings.Fields(string(out)), "..") {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if _, err := os.ReadFile(f); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := os.ReadFile("../go.mod"); err != nil {
		t.Fatal(err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
