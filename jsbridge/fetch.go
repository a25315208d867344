//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/wasm/sberr"
	"github.com/sealbridge/sealbridge/wasm/transport"
)

// MaxResponseBytes bounds what Fetch reads of a response body.
const MaxResponseBytes = 8 << 20

// Fetch is a transport.Transport over the browser's (or Node's) fetch. It is
// used instead of net/http, which would add a whole HTTP stack to the
// module and would itself go through fetch anyway.
type Fetch struct{}

var _ transport.Transport = Fetch{}

// RoundTrip sends req with fetch. Cancelling ctx aborts the fetch through
// an AbortController. Cookies go only to the page's own origin
// (credentials: "same-origin"), which is what the intermediary's session
// needs and what a third-party key endpoint must not get.
func (Fetch) RoundTrip(ctx context.Context, req *transport.Request) (*transport.Response, error) {
	controller, err := safejs.MustGetGlobal("AbortController").New()
	if err != nil {
		return nil, err
	}
	init, err := fetchInit(req, controller)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { _, _ = controller.Call("abort") })
	defer stop()
	p, err := safejs.Global().Call("fetch", req.URL, init)
	if err != nil {
		return nil, sberr.Wrap(err, sberr.InvalidArgument, "fetch refused %s: %v", req.URL, err)
	}
	res, err := Await(ctx, p)
	if err != nil {
		return nil, fetchError(ctx, req.URL, err)
	}
	return readResponse(ctx, req.URL, res)
}

func fetchInit(req *transport.Request, controller safejs.Value) (safejs.Value, error) {
	signal, err := controller.Get("signal")
	if err != nil {
		return safejs.Value{}, err
	}
	headers := make(map[string]any, len(req.Headers))
	for k, v := range req.Headers {
		headers[k] = v
	}
	fields := map[string]any{
		"method":      req.Method,
		"headers":     headers,
		"credentials": "same-origin",
		"cache":       "no-store",
	}
	if req.Body != nil {
		// Request bodies here are text (base64 descriptors, JSON).
		fields["body"] = string(req.Body)
	}
	init, err := safejs.ValueOf(fields)
	if err != nil {
		return safejs.Value{}, err
	}
	// Set, not a map entry: js.ValueOf cannot take a safejs.Value.
	return init, init.Set("signal", signal)
}

func fetchError(ctx context.Context, url string, err error) error {
	if ctx.Err() != nil {
		return sberr.Wrap(err, sberr.Timeout, "request to %s was aborted after its deadline", url)
	}
	var se *sberr.Error
	if errors.As(err, &se) {
		return se
	}
	return sberr.Wrap(err, sberr.NetworkError, "could not reach %s: %v", url, err)
}

func readResponse(ctx context.Context, url string, res safejs.Value) (*transport.Response, error) {
	status, err := Field(res, "status").Int()
	if err != nil {
		return nil, sberr.Wrap(err, sberr.BadResponse, "fetch gave no status for %s", url)
	}
	headers, err := readHeaders(Field(res, "headers"))
	if err != nil {
		return nil, sberr.Wrap(err, sberr.BadResponse, "could not read the headers from %s", url)
	}
	body, err := readBody(ctx, url, res)
	if err != nil {
		return nil, err
	}
	return &transport.Response{Status: status, Headers: headers, Body: body}, nil
}

func headerValue(res safejs.Value, name string) string {
	v, err := Field(res, "headers").Call("get", name)
	if err != nil || v.Type() != safejs.TypeString {
		return ""
	}
	s, _ := v.String()
	return s
}

func readHeaders(h safejs.Value) (map[string]string, error) {
	out := map[string]string{}
	cb, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		v, _ := arg(args, 0).String()
		k, _ := arg(args, 1).String()
		out[strings.ToLower(k)] = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	// forEach calls back synchronously, so cb can be released right after.
	defer cb.Release()
	_, err = h.Call("forEach", cb)
	return out, err
}

func readBody(ctx context.Context, url string, res safejs.Value) ([]byte, error) {
	// Refuse a declared oversize body before reading it into memory; a
	// body without Content-Length is checked once read.
	if n, err := strconv.Atoi(headerValue(res, "content-length")); err == nil && n > MaxResponseBytes {
		_, _ = Field(res, "body").Call("cancel")
		return nil, sberr.New(sberr.PayloadTooLarge, "response from %s is %d bytes, over the %d-byte limit", url, n, MaxResponseBytes)
	}
	p, err := res.Call("arrayBuffer")
	if err != nil {
		return nil, sberr.Wrap(err, sberr.BadResponse, "could not read the body from %s", url)
	}
	buf, err := Await(ctx, p)
	if err != nil {
		return nil, fetchError(ctx, url, err)
	}
	u8, err := safejs.MustGetGlobal("Uint8Array").New(buf)
	if err != nil {
		return nil, err
	}
	n, err := u8.Length()
	if err != nil {
		return nil, err
	}
	if n > MaxResponseBytes {
		return nil, sberr.New(sberr.PayloadTooLarge, "response from %s is %d bytes, over the %d-byte limit", url, n, MaxResponseBytes)
	}
	body := make([]byte, n)
	if _, err := safejs.CopyBytesToGo(body, u8); err != nil {
		return nil, err
	}
	return body, nil
}
