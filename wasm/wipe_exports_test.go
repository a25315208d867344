//go:build js && wasm

package main

import (
	"testing"

	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/jsbridge"
)

// These tests look for a credential the page hands to an export anywhere
// in Go's memory once the call has settled: the whole linear memory, live
// and freed, since Go does not zero what it frees. The credential is made
// in JavaScript, so no copy of it is in Go's memory but those the code
// under test made.

// goMemoryProbe is a Uint8Array whose set, which wasm_exec.js's
// copyBytesToJS calls with a view of Go's linear memory, searches that
// whole memory for the UTF-8 bytes of secret and records whether it is
// there. Searching inside the copy sees the memory as it is at that
// instant (a later growth would detach the buffer).
const goMemoryProbe = `(secret) => {
	const needle = new TextEncoder().encode(secret);
	class GoMemoryProbe extends Uint8Array {
		set(src) { this.found = Buffer.from(src.buffer).indexOf(needle) >= 0; }
	}
	return new GoMemoryProbe(1);
}`

// inGoMemory reports whether the UTF-8 bytes of the JS string secret are
// anywhere in Go's memory.
func inGoMemory(t *testing.T, secret safejs.Value) bool {
	t.Helper()
	probe, err := evalJS(t, goMemoryProbe).Invoke(secret)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := safejs.CopyBytesToJS(probe, []byte{0}); err != nil {
		t.Fatal(err)
	}
	found := jsbridge.Field(probe, "found")
	if found.Type() != safejs.TypeBoolean {
		t.Fatal("the probe did not see Go's memory: wasm_exec.js no longer copies with set")
	}
	ok, _ := found.Bool()
	return ok
}

func evalJS(t *testing.T, js string) safejs.Value {
	t.Helper()
	fn, err := safejs.MustGetGlobal("Function").New("return (" + js + ")")
	if err != nil {
		t.Fatal(err)
	}
	v, err := fn.Invoke()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// jsSecret is a credential made in JavaScript, unique to the call, and
// the JS value (a string, an object) built from it by build, a JS
// function of it.
func jsSecret(t *testing.T, build string) (secret, value safejs.Value) {
	t.Helper()
	secret = evalJS(t, `"s3cret-" + crypto.randomUUID()`)
	value, err := evalJS(t, build).Invoke(secret)
	if err != nil {
		t.Fatal(err)
	}
	return secret, value
}

// The probe finds a credential while Go holds it and no longer once it is
// wiped; StringBytes, the way a credential comes in, leaves no other copy.
func TestGoMemoryProbe(t *testing.T) {
	secret, _ := jsSecret(t, `(s) => s`)
	if inGoMemory(t, secret) {
		t.Fatal("the credential is in Go's memory before anything copied it")
	}
	b, err := jsbridge.StringBytes(secret, "value")
	if err != nil {
		t.Fatal(err)
	}
	if !inGoMemory(t, secret) {
		t.Fatal("the probe does not see the credential Go holds")
	}
	clear(b)
	if inGoMemory(t, secret) {
		t.Fatal("StringBytes left a copy of the credential besides its result")
	}
}

// settle runs a deferred export's handler and waits until it settles.
func settle(t *testing.T, h func(a []safejs.Value, done func(any, error)), args ...safejs.Value) error {
	t.Helper()
	ch := make(chan error, 1)
	h(args, func(_ any, err error) { ch <- err })
	return <-ch
}

// keyObject is the key handle the page passes, for split's handle 0.
func keyObject(t *testing.T, split *splitSeal) safejs.Value {
	t.Helper()
	v, err := safejs.ValueOf(handleValue(split.handles[0]))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// jwkObject is a JWK given as the key, which the export imports on the
// spot (on a goroutine, since the import awaits WebCrypto).
func jwkObject(t *testing.T) safejs.Value {
	t.Helper()
	v, err := jsbridge.ParseJSON(warmUpJWK())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// requireNoCopy fails when the credential outlives the call.
func requireNoCopy(t *testing.T, secret safejs.Value, err error, wantErr bool) {
	t.Helper()
	if (err != nil) != wantErr {
		t.Fatalf("error %v, want one: %v", err, wantErr)
	}
	if inGoMemory(t, secret) {
		t.Fatalf("the credential is still in Go's memory after the call (error %v)", err)
	}
}

// The ordinary seal export leaves no copy of the value it sealed, or
// refused (the key is not one, the value is too large).
func TestSealExportLeavesNoCopyOfTheValue(t *testing.T) {
	split := splitSealWithKey(t)
	handler := func(a []safejs.Value, done func(any, error)) { sealValue(split.shim, a, done) }
	noKey, _ := safejs.ValueOf(map[string]any{})
	for name, c := range map[string]struct {
		build   string
		key     safejs.Value
		wantErr bool
	}{
		"sealed":           {`(s) => s`, keyObject(t, split), false},
		"a JWK as the key": {`(s) => s`, jwkObject(t), false},
		"not a key":        {`(s) => s`, noKey, true},
		"value too large":  {`(s) => s + "x".repeat(64 * 1024)`, keyObject(t, split), true},
	} {
		t.Run(name, func(t *testing.T) {
			secret, value := jsSecret(t, c.build)
			requireNoCopy(t, secret, settle(t, handler, value, c.key), c.wantErr)
		})
	}
}

// The ordinary sealFields export leaves no copy of the document (every
// credential in it), whatever ends the call: sealed, or refused by its
// arguments or by the seal. A sealed call names every field holding the
// credential: a field not named comes back in clear, as asked.
func TestSealFieldsExportLeavesNoCopyOfTheDocument(t *testing.T) {
	split := splitSealWithKey(t)
	handler := func(a []safejs.Value, done func(any, error)) { sealFields(split.shim, a, done) }
	noKey, _ := safejs.ValueOf(map[string]any{})
	doc := `(s) => ({user: "alice", password: s, n: 1, card: {pin: s + "-pin"}})`
	for name, c := range map[string]struct {
		pointers string
		key      safejs.Value
		wantErr  bool
	}{
		"sealed":                 {`["/password", "/card/pin"]`, keyObject(t, split), false},
		"a JWK as the key":       {`["/password", "/card/pin"]`, jwkObject(t), false},
		"pointers not a list":    {`"/password"`, keyObject(t, split), true},
		"not a key":              {`["/password"]`, noKey, true},
		"second pointer missing": {`["/password", "/nope"]`, keyObject(t, split), true},
		"not a string":           {`["/password", "/n"]`, keyObject(t, split), true},
		"no pointer":             {`[]`, keyObject(t, split), true},
	} {
		t.Run(name, func(t *testing.T) {
			secret, body := jsSecret(t, doc)
			err := settle(t, handler, body, evalJS(t, c.pointers), c.key)
			requireNoCopy(t, secret, err, c.wantErr)
		})
	}
}

// A client request with fields to seal leaves no copy of its body once
// the call is over: sent sealed, refused before sending, or failed after.
func TestRequestExportLeavesNoCopyOfTheBody(t *testing.T) {
	split := splitSealWithKey(t)
	// The intermediary answers {"ok":true}, or fails when told to.
	id := proxiedClient(t, split, `(d) => {
		if (globalThis.__fail) throw new Error("the intermediary is down");
		return "eyJoZWFkZXJzIjp7fSwiYm9keSI6eyJvayI6dHJ1ZX19";
	}`)
	for name, c := range map[string]struct {
		seal    string
		fail    bool
		wantErr bool
	}{
		"sent sealed":        {`["/password"]`, false, false},
		"failed after":       {`["/password"]`, true, true},
		"empty seal list":    {`[]`, false, true},
		"pointer not found":  {`["/password", "/nope"]`, false, true},
		"seal not a list":    {`"/password"`, false, true},
		"pointer not string": {`["/password", "/n"]`, false, true},
	} {
		t.Run(name, func(t *testing.T) {
			_ = safejs.Global().Set("__fail", c.fail)
			secret, call := jsSecret(t, `(s) => ({method: "POST", path: "/v2/transfers", body: {iban: "FR76", password: s, n: 1}, seal: `+c.seal+`})`)
			_, err := request(split.shim, []safejs.Value{id, call})
			requireNoCopy(t, secret, err, c.wantErr)
		})
	}
	_ = safejs.Global().Delete("__fail")
}

// proxiedClient makes a client that seals with split's handle 0 and hands
// its descriptors to proxy, a JS function.
func proxiedClient(t *testing.T, split *splitSeal, proxy string) safejs.Value {
	t.Helper()
	opts := evalJS(t, `({})`)
	for name, v := range map[string]safejs.Value{"proxyRequest": evalJS(t, proxy), "key": keyObject(t, split)} {
		if err := opts.Set(name, v); err != nil {
			t.Fatal(err)
		}
	}
	id, err := createClient(split.shim, []safejs.Value{opts})
	if err != nil {
		t.Fatal(err)
	}
	v, err := safejs.ValueOf(id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
