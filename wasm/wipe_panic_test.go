//go:build js && wasm

package main

import (
	"testing"

	"github.com/hack-pad/safejs"
)

// A seal export that panics (a bug: the Deferred export recovers it and
// rejects with internal) still wipes the value or document it copied into
// Go: the recovery settles the call with its own done, not the one that
// wipes. A nil shim makes each export panic once the copy is made, for
// both kinds of key: a handle (at once) is what is tested here; a JWK is
// imported on a goroutine, where a panic ends the module anyway.
func TestSealExportsWipeTheirCopyOnAPanic(t *testing.T) {
	handle := evalJS(t, `({kid: "k1", thumbprint: "t"})`)
	for name, c := range map[string]struct {
		build  string
		export func(a []safejs.Value, done func(any, error))
		args   func(value safejs.Value) []safejs.Value
	}{
		"seal": {`(s) => s`, func(a []safejs.Value, done func(any, error)) { sealValue(nil, a, done) },
			func(v safejs.Value) []safejs.Value { return []safejs.Value{v, handle} }},
		"sealFields": {`(s) => ({password: s})`, func(a []safejs.Value, done func(any, error)) { sealFields(nil, a, done) },
			func(v safejs.Value) []safejs.Value { return []safejs.Value{v, evalJS(t, `["/password"]`), handle} }},
	} {
		t.Run(name, func(t *testing.T) {
			secret, value := jsSecret(t, c.build)
			panicked := func() (p any) {
				defer func() { p = recover() }() // as jsbridge.Namespace.Deferred does
				c.export(c.args(value), func(any, error) {})
				return nil
			}()
			if panicked == nil {
				t.Fatal("the export did not panic: this case shows nothing")
			}
			if inGoMemory(t, secret) {
				t.Fatalf("the credential is still in Go's memory after the export panicked (%v)", panicked)
			}
		})
	}
}

// So does planFields, the split sealFields' memory call, for its own copy
// of the document: the memory call recovers a panic as internal, and the
// copy would outlive it in clear.
func TestPlanFieldsWipesItsCopyOnAPanic(t *testing.T) {
	split := splitSealWithKey(t)
	h := split.handles[0]
	split.shim = nil // the plan panics once it has the copy
	doc := []byte(`{"p":"s3cret-pin-4829"}`)
	panicked := func() (p any) {
		defer func() { p = recover() }() // as jsbridge's memory calls do
		_, _ = split.plan(h, doc, []string{"/p"})
		return nil
	}()
	if panicked == nil {
		t.Fatal("the plan did not panic: this case shows nothing")
	}
	requireWiped(t, "the document after planFields panicked", doc)
}
