//go:build js && wasm

package jsbridge

import (
	"context"

	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/wasm/sberr"
	"github.com/sealbridge/sealbridge/wasm/transport"
)

// ProxyFunction calls the page's proxyRequest(descriptor, { headers,
// signal }), the Qonto Embed SDK's ProxyRequestFunction shape, from a Go
// goroutine (never from inside a JS callback) and reads what it resolves
// with: the intermediary's response text, taken as HTTP 200 as the Qonto
// SDK does, or the fetch Response itself, whose status and headers are
// kept (so that a 401 renews the token and errors keep their status).
// signal aborts when the call times out.
func ProxyFunction(fn safejs.Value) func(ctx context.Context, descriptor string, headers map[string]string) (*transport.Response, error) {
	return func(ctx context.Context, desc string, headers map[string]string) (*transport.Response, error) {
		controller, err := safejs.MustGetGlobal("AbortController").New()
		if err != nil {
			return nil, err
		}
		stop := context.AfterFunc(ctx, func() { _, _ = controller.Call("abort") })
		defer stop()
		opts, err := proxyOptions(headers, controller)
		if err != nil {
			return nil, err
		}
		v, err := fn.Invoke(desc, opts)
		if err == nil && Field(v, "then").Type() == safejs.TypeFunction {
			v, err = Await(ctx, v)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, sberr.Wrap(err, sberr.Timeout, "proxyRequest did not settle before the call's deadline")
			}
			return nil, sberr.Wrap(err, sberr.NetworkError, "proxyRequest failed: %v; make it resolve with the intermediary's response text", err)
		}
		return proxyAnswer(ctx, v)
	}
}

func proxyOptions(headers map[string]string, controller safejs.Value) (safejs.Value, error) {
	h := make(map[string]any, len(headers))
	for k, v := range headers {
		h[k] = v
	}
	opts, err := safejs.ValueOf(map[string]any{"headers": h})
	if err != nil {
		return safejs.Value{}, err
	}
	signal, err := controller.Get("signal")
	if err != nil {
		return safejs.Value{}, err
	}
	return opts, opts.Set("signal", signal)
}

func proxyAnswer(ctx context.Context, v safejs.Value) (*transport.Response, error) {
	switch {
	case v.Type() == safejs.TypeString:
		s, err := v.String()
		if err != nil {
			return nil, err
		}
		if len(s) > MaxResponseBytes {
			return nil, sberr.New(sberr.PayloadTooLarge, "proxyRequest resolved with %d bytes, over the %d-byte limit", len(s), MaxResponseBytes)
		}
		return &transport.Response{Status: 200, Headers: map[string]string{}, Body: []byte(s)}, nil
	case Field(v, "status").Type() == safejs.TypeNumber && Field(v, "arrayBuffer").Type() == safejs.TypeFunction:
		return readResponse(ctx, "proxyRequest", v)
	}
	return nil, sberr.New(sberr.BadResponse, "proxyRequest must resolve with the intermediary's response text (or its fetch Response); it resolved with %s", describe(v))
}
