package client

import (
	"context"

	"github.com/sealbridge/sealbridge/wasm/descriptor"
	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// maxEnvelope bounds a proxied answer (base64 of the provider's JSON).
var envelopeLimits = descriptor.Limits{MaxEncoded: 8 << 20}

// proxySender sends calls as Qonto request descriptors to the
// intermediary: the descriptor is the raw text/plain body.
type proxySender struct {
	t  Transport
	ep *ProxyEndpoint
}

func (p proxySender) send(ctx context.Context, c *Call, token string) (*Result, error) {
	headers := map[string]string{}
	for k, v := range c.Headers {
		headers[k] = v
	}
	if c.Body != nil {
		headers["content-type"] = "application/json"
	}
	desc, err := descriptor.Encode(descriptor.Request{Method: c.Method, Headers: headers, Path: c.Path, Payload: c.Body})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k, v := range p.ep.Headers {
		out[k] = v
	}
	out["content-type"] = "text/plain;charset=UTF-8"
	if token != "" {
		out["authorization"] = "Bearer " + token
	}
	res, err := p.t.RoundTrip(ctx, &Request{Method: p.ep.Method, URL: p.ep.Path, Headers: out, Body: []byte(desc)})
	if err != nil {
		return nil, err
	}
	env, err := descriptor.DecodeResponse(string(res.Body), envelopeLimits)
	if err != nil {
		e := sberr.As(err)
		e.Status = res.Status
		e.Message = "the intermediary at " + p.ep.Path + " did not answer with a response envelope (HTTP " + itoa(res.Status) + "): " + e.Message
		return nil, e
	}
	// The intermediary passes the provider's status through; a
	// WWW-Authenticate of its own (a scoped token it refused) is on the
	// outer response.
	if wa := res.Headers["www-authenticate"]; wa != "" && env.Headers["www-authenticate"] == "" {
		env.Headers["www-authenticate"] = wa
	}
	return &Result{Status: res.Status, Headers: env.Headers, Body: env.Body}, nil
}
