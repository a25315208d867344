//go:build js && wasm

package main

import (
	"context"
	"fmt"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/jsbridge"
	"github.com/sealbridge/sealbridge/wasm/api"
	"github.com/sealbridge/sealbridge/wasm/client"
	"github.com/sealbridge/sealbridge/wasm/sberr"
)

func exportClients(ns *jsbridge.Namespace, shim *api.Shim) error {
	if err := ns.Sync("createClient", func(a []safejs.Value) (any, error) { return createClient(shim, a) }); err != nil {
		return err
	}
	if err := ns.Sync("claims", func(a []safejs.Value) (any, error) { return claims(shim, a) }); err != nil {
		return err
	}
	if err := ns.Sync("closeClient", func(a []safejs.Value) (any, error) {
		id, err := jsbridge.Arg(a, 0).Int()
		if err == nil {
			shim.CloseClient(id)
		}
		return nil, nil
	}); err != nil {
		return err
	}
	return ns.Async("request", func(a []safejs.Value) (any, error) { return request(shim, a) })
}

func createClient(shim *api.Shim, a []safejs.Value) (any, error) {
	opts, err := jsbridge.Options(jsbridge.Arg(a, 0), "createClient options")
	if err != nil {
		return nil, err
	}
	var o api.ClientOptions
	if o.Proxy, err = proxyEndpoint(jsbridge.Field(opts, "proxyEndpointDescriptor")); err != nil {
		return nil, err
	}
	if o.ProxyFunc, err = proxyFunction(jsbridge.Field(opts, "proxyRequest")); err != nil {
		return nil, err
	}
	if o.BaseURL, err = jsbridge.OptionalString(opts, "baseURL"); err != nil {
		return nil, err
	}
	if o.BaseURL != "" && !jsbridge.HTTPURL(o.BaseURL) {
		return nil, sberr.New(sberr.InvalidArgument, "baseURL must be an absolute http(s) URL, got %q", o.BaseURL)
	}
	if err := readTokenOptions(opts, jsbridge.Arg(a, 1), &o); err != nil {
		return nil, err
	}
	if o.Hooks, err = readHooks(opts); err != nil {
		return nil, err
	}
	if o.Timeout, err = millis(opts, "timeoutMs"); err != nil {
		return nil, err
	}
	if k := jsbridge.Field(opts, "key"); !jsbridge.IsMissing(k) {
		h, err := keyArg(shim, k, "createClient key")
		if err != nil {
			return nil, err
		}
		o.Key = &h
	}
	return shim.CreateClient(o)
}

func proxyEndpoint(v safejs.Value) (*client.ProxyEndpoint, error) {
	if jsbridge.IsMissing(v) {
		return nil, nil
	}
	if _, err := jsbridge.Options(v, "proxyEndpointDescriptor"); err != nil {
		return nil, err
	}
	var p client.ProxyEndpoint
	var err error
	if p.Path, err = jsbridge.OptionalString(v, "path"); err != nil {
		return nil, err
	}
	if p.Method, err = jsbridge.OptionalString(v, "method"); err != nil {
		return nil, err
	}
	if p.Headers, err = jsbridge.StringMap(jsbridge.Field(jsbridge.Field(v, "options"), "headers"), "proxyEndpointDescriptor.options.headers"); err != nil {
		return nil, err
	}
	return &p, nil
}

// renewWith calls the page's onAccessTokenExpired from a Go goroutine (never
// from inside a JS callback) and awaits its promise.
func renewWith(cb safejs.Value) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		v, err := cb.Invoke()
		if err != nil {
			return "", fmt.Errorf("it threw: %w", err)
		}
		if then := jsbridge.Field(v, "then"); then.Type() == safejs.TypeFunction {
			if v, err = jsbridge.Await(ctx, v); err != nil {
				return "", err
			}
		}
		if v.Type() != safejs.TypeString {
			return "", fmt.Errorf("it resolved with something other than a token string")
		}
		return v.String()
	}
}

func millis(opts safejs.Value, name string) (time.Duration, error) {
	ms, set, err := jsbridge.OptionalNumber(opts, name)
	if err != nil || !set {
		return 0, err
	}
	if ms <= 0 {
		return 0, sberr.New(sberr.InvalidArgument, "%s must be a positive number of milliseconds", name)
	}
	return time.Duration(ms * float64(time.Millisecond)), nil
}

func request(shim *api.Shim, a []safejs.Value) (any, error) {
	id, err := jsbridge.Arg(a, 0).Int()
	if err != nil {
		return nil, sberr.New(sberr.InvalidArgument, "request must be called on a client from createClient")
	}
	call, err := readCall(jsbridge.Arg(a, 1))
	// The body, copied into Go by readCall, holds the values to seal in
	// clear; the client keeps it for the whole call (a provider that
	// rotated its key has them sealed again), so it is wiped once the call
	// is over, whatever its outcome.
	defer clear(call.Body)
	if err != nil {
		return nil, err
	}
	res, err := shim.Request(ctx(), id, call)
	if err != nil {
		return nil, err
	}
	headers := make(map[string]any, len(res.Headers))
	for k, v := range res.Headers {
		headers[k] = v
	}
	body, err := jsbridge.ParseJSON(res.Body)
	if err != nil {
		return nil, sberr.Wrap(err, sberr.BadResponse, "the answer's body is not JSON")
	}
	return map[string]any{"status": res.Status, "headers": headers, "body": body}, nil
}

func readCall(v safejs.Value) (client.Call, error) {
	if v.Type() != safejs.TypeObject {
		return client.Call{}, sberr.New(sberr.InvalidArgument, "request needs an object like {method, path, body}")
	}
	var c client.Call
	var err error
	if c.Method, err = jsbridge.OptionalString(v, "method"); err != nil {
		return c, err
	}
	if c.Path, err = jsbridge.String(jsbridge.Field(v, "path"), "request path"); err != nil {
		return c, err
	}
	if c.Query, err = jsbridge.ScalarMap(jsbridge.Field(v, "query"), "request query"); err != nil {
		return c, err
	}
	if c.Headers, err = jsbridge.StringMap(jsbridge.Field(v, "headers"), "request headers"); err != nil {
		return c, err
	}
	if b := jsbridge.Field(v, "body"); !jsbridge.IsMissing(b) {
		raw, err := jsbridge.JSONOf(b, "request body")
		if err != nil {
			return c, err
		}
		c.Body = raw
	}
	switch s := jsbridge.Field(v, "seal"); {
	case s.IsUndefined():
	case s.IsNull():
		// seal: null is an explicit request that names nothing; the
		// client refuses it rather than send the body in clear.
		c.Seal = []string{}
	default:
		if c.Seal, err = pointersArg(s, "request seal"); err != nil {
			return c, err
		}
	}
	return c, nil
}

func claims(shim *api.Shim, a []safejs.Value) (any, error) {
	id, err := jsbridge.Arg(a, 0).Int()
	if err != nil {
		return nil, sberr.New(sberr.InvalidArgument, "claims must be called on a client from createClient")
	}
	c, ok, err := shim.Claims(id)
	if err != nil || !ok {
		return nil, err
	}
	return map[string]any{
		"partnerId":  c.PartnerID,
		"clientId":   c.ClientID,
		"customerId": c.CustomerID,
		"invoiceId":  c.InvoiceID,
		"expiresAt":  float64(c.ExpiresAt.UnixMilli()),
	}, nil
}
