//go:build js && wasm

package jsbridge

import (
	"context"
	"testing"
	"time"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

func TestProxyFunctionTextIsStatus200(t *testing.T) {
	fn := ProxyFunction(eval(t, `async (d, init) => { globalThis.__got = [d, init.headers.authorization, typeof init.signal.aborted]; return "ZW52"; }`))
	res, err := fn(context.Background(), "ZGVzYw==", map[string]string{"authorization": "Bearer t"})
	if err != nil || res.Status != 200 || string(res.Body) != "ZW52" {
		t.Fatalf("got %+v, %v", res, err)
	}
	got := eval(t, `globalThis.__got.join(" ")`)
	if s, _ := got.String(); s != "ZGVzYw== Bearer t boolean" {
		t.Fatalf("the function got %q", s)
	}
}

func TestProxyFunctionResponseKeepsStatusAndHeaders(t *testing.T) {
	fn := ProxyFunction(eval(t, `async () => new Response("ZW52", { status: 401, headers: { "WWW-Authenticate": 'Bearer error="invalid_token"' } })`))
	res, err := fn(context.Background(), "x", nil)
	if err != nil || res.Status != 401 || res.Headers["www-authenticate"] == "" || string(res.Body) != "ZW52" {
		t.Fatalf("got %+v, %v", res, err)
	}
}

func TestProxyFunctionFailures(t *testing.T) {
	for js, code := range map[string]sberr.Code{
		`async () => { throw new Error("offline") }`: sberr.NetworkError,
		`() => { throw new Error("sync throw") }`:    sberr.NetworkError,
		`async () => 42`:                sberr.BadResponse,
		`async () => ({ status: 200 })`: sberr.BadResponse,
	} {
		_, err := ProxyFunction(eval(t, js))(context.Background(), "x", nil)
		if sberr.CodeOf(err) != code {
			t.Errorf("%s: got %v, want %s", js, err, code)
		}
	}
}

func TestProxyFunctionAbortsAtTheDeadline(t *testing.T) {
	fn := ProxyFunction(eval(t, `(d, init) => new Promise((_, reject) => init.signal.addEventListener("abort", () => { globalThis.__aborted = true; reject(new Error("aborted")); }))`))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := fn(ctx, "x", nil); sberr.CodeOf(err) != sberr.Timeout {
		t.Fatalf("got %v", err)
	}
	time.Sleep(10 * time.Millisecond)
	if ok, _ := eval(t, `globalThis.__aborted === true`).Bool(); !ok {
		t.Fatal("the signal was not aborted")
	}
}

// Node ends the process on an unhandled rejection: a hook's rejected
// promise must be caught.
func TestCallHookIgnoresThrowsAndRejections(t *testing.T) {
	CallHook(eval(t, `(e) => { globalThis.__event = JSON.stringify(e); throw new Error("hook bug"); }`), map[string]any{"path": "/x", "attempt": 1})
	CallHook(eval(t, `async () => { throw new Error("async hook bug"); }`), map[string]any{})
	time.Sleep(20 * time.Millisecond) // let the rejection surface, if it were unhandled
	if ok, _ := eval(t, `(() => { const e = JSON.parse(globalThis.__event); return e.path === "/x" && e.attempt === 1; })()`).Bool(); !ok {
		t.Fatalf("the hook got %v", eval(t, `globalThis.__event`))
	}
}
