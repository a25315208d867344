//go:build js && wasm

package jsbridge

import (
	"context"
	"testing"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/wasm/client"
	"github.com/sealbridge/sealbridge/wasm/sberr"
)

func eval(t *testing.T, js string) safejs.Value {
	t.Helper()
	v, err := safejs.MustGetGlobal("Function").New("return (" + js + ")")
	if err != nil {
		t.Fatal(err)
	}
	out, err := v.Invoke()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAwaitResolved(t *testing.T) {
	v, err := Await(context.Background(), eval(t, `Promise.resolve("ok")`))
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := v.String(); s != "ok" {
		t.Fatalf("got %q", s)
	}
}

func TestAwaitRejectedKeepsCode(t *testing.T) {
	_, err := Await(context.Background(), eval(t, `Promise.reject(Object.assign(new Error("nope"), {code: "timeout"}))`))
	if sberr.CodeOf(err) != sberr.Timeout {
		t.Fatalf("got %v", err)
	}
	_, err = Await(context.Background(), eval(t, `Promise.reject(new TypeError("plain"))`))
	if err == nil || err.Error() != "plain" {
		t.Fatalf("got %v", err)
	}
}

func TestAwaitGivesUpOnContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := Await(ctx, eval(t, `new Promise(() => {})`))
	if sberr.CodeOf(err) != sberr.Timeout {
		t.Fatalf("got %v", err)
	}
}

func TestPromiseResolvesAndRecoversPanics(t *testing.T) {
	p, err := Promise(func() (any, error) { return "done", nil })
	if err != nil {
		t.Fatal(err)
	}
	v, err := Await(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := v.String(); s != "done" {
		t.Fatalf("got %q", s)
	}
	p, err = Promise(func() (any, error) { panic("boom") })
	if err != nil {
		t.Fatal(err)
	}
	_, err = Await(context.Background(), p)
	if sberr.CodeOf(err) != sberr.Internal {
		t.Fatalf("a panic must reject with code internal, got %v", err)
	}
}

func TestNewErrorCarriesCodeStatusAndBody(t *testing.T) {
	e := sberr.New(sberr.HTTPError, "answered 428")
	e.Status, e.Body = 428, []byte(`{"code":"sca"}`)
	v := NewError(e)
	code, _ := Field(v, "code").String()
	status, _ := Field(v, "status").Int()
	bodyCode, _ := Field(Field(v, "body"), "code").String()
	if code != "http_error" || status != 428 || bodyCode != "sca" {
		t.Fatalf("got code=%q status=%d body.code=%q", code, status, bodyCode)
	}
}

func TestFetchReadsStatusHeadersAndBody(t *testing.T) {
	res, err := Fetch{}.RoundTrip(context.Background(), &client.Request{Method: "GET", URL: "data:application/json,%7B%22a%22%3A1%7D"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 200 || string(res.Body) != `{"a":1}` || res.Headers["content-type"] != "application/json" {
		t.Fatalf("got %+v", res)
	}
}

func TestFetchNetworkErrorHasCode(t *testing.T) {
	_, err := Fetch{}.RoundTrip(context.Background(), &client.Request{Method: "GET", URL: "http://127.0.0.1:9/"})
	if c := sberr.CodeOf(err); c != sberr.NetworkError {
		t.Fatalf("got %v (%s)", err, c)
	}
}

func TestArgumentReaders(t *testing.T) {
	if _, err := String(safejs.Undefined(), "x"); sberr.CodeOf(err) != sberr.InvalidArgument {
		t.Fatalf("undefined must be invalid_argument, got %v", err)
	}
	ss, err := Strings(eval(t, `["/a", "/b"]`), "p")
	if err != nil || len(ss) != 2 || ss[1] != "/b" {
		t.Fatalf("got %v %v", ss, err)
	}
	if _, err := Strings(eval(t, `["/a", 1]`), "p"); sberr.CodeOf(err) != sberr.InvalidArgument {
		t.Fatalf("got %v", err)
	}
	m, err := ScalarMap(eval(t, `({page: 2, q: "x", all: true})`), "query")
	if err != nil || m["page"] != "2" || m["all"] != "true" {
		t.Fatalf("got %v %v", m, err)
	}
	if _, err := JSONOf(eval(t, `(() => { const o = {}; o.self = o; return o })()`), "body"); sberr.CodeOf(err) != sberr.InvalidArgument {
		t.Fatalf("cyclic object must be invalid_argument, got %v", err)
	}
}

func TestReadResponseRefusesDeclaredOversizeBody(t *testing.T) {
	res := eval(t, `new Response("small", { status: 200, headers: { "content-length": "999999999" } })`)
	_, err := readResponse(context.Background(), "http://127.0.0.1/x", res)
	if sberr.CodeOf(err) != sberr.PayloadTooLarge {
		t.Fatalf("got %v", err)
	}
	res = eval(t, `new Response("small", { status: 201 })`)
	got, err := readResponse(context.Background(), "http://127.0.0.1/x", res)
	if err != nil || got.Status != 201 || string(got.Body) != "small" {
		t.Fatalf("got %+v, %v", got, err)
	}
}
