package client

import (
	"context"

	"github.com/sealbridge/sealbridge/wasm/descriptor"
	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// maxEnvelope bounds a proxied answer (base64 of the provider's JSON).
var envelopeLimits = descriptor.Limits{MaxEncoded: 8 << 20}

// ProxyFunc hands one request descriptor to the page's own transport (the
// Qonto Embed SDK's proxyRequestFunction) and returns the intermediary's
// answer. headers are the ones the endpoint form would add to its request
// (content-type, and authorization when the client has a token).
type ProxyFunc func(ctx context.Context, descriptor string, headers map[string]string) (*Response, error)

// proxySender sends calls as Qonto request descriptors, through post: to
// the intermediary as the raw text/plain body, or to the page's function.
// Both forms send the same descriptor bytes and read the same envelope.
type proxySender struct {
	post  ProxyFunc
	where string // names the transport in error messages
}

// endpointPoster posts descriptors to a proxyEndpointDescriptor.
func endpointPoster(t Transport, ep *ProxyEndpoint) ProxyFunc {
	return func(ctx context.Context, desc string, headers map[string]string) (*Response, error) {
		out := map[string]string{}
		for k, v := range ep.Headers {
			out[k] = v
		}
		for k, v := range headers {
			out[k] = v
		}
		return t.RoundTrip(ctx, &Request{Method: ep.Method, URL: ep.Path, Headers: out, Body: []byte(desc)})
	}
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
	out := map[string]string{"content-type": "text/plain;charset=UTF-8"}
	if token != "" {
		out["authorization"] = "Bearer " + token
	}
	res, err := p.post(ctx, desc, out)
	if err != nil {
		return nil, err
	}
	env, err := descriptor.DecodeResponse(string(res.Body), envelopeLimits)
	if err != nil {
		e := sberr.As(err)
		e.Status = res.Status
		e.Message = p.where + " did not answer with a response envelope (HTTP " + itoa(res.Status) + "): " + e.Message
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
