package client

import (
	"context"
	"strings"
	"time"

	"github.com/sealbridge/sealbridge/wasm/sberr"
	"github.com/sealbridge/sealbridge/wasm/session"
)

// DefaultTimeout matches the Mbanq SDK's default (29 s): just under the
// 30 s that many gateways allow.
const DefaultTimeout = 29 * time.Second

// ProxyEndpoint is the integrator's intermediary, as a Qonto
// proxyEndpointDescriptor names it.
type ProxyEndpoint struct {
	Path    string
	Method  string
	Headers map[string]string
}

// Config configures a Client. Exactly one of Proxy, ProxyFunc and BaseURL
// is set.
type Config struct {
	Transport Transport // required unless ProxyFunc is set
	Proxy     *ProxyEndpoint
	ProxyFunc ProxyFunc        // the page's own transport for descriptors
	BaseURL   string           // direct calls, with the scoped token; an absolute http(s) URL, checked by the caller (New checks only its scheme)
	Tokens    *session.Renewer // nil: calls carry no token
	Timeout   time.Duration    // per call; 0: DefaultTimeout
	Keys      Keyring          // nil: calls that ask for sealing are refused
	Hooks     Hooks
}

// Client runs calls through the pipeline: seal, encode, send, decode, and
// renew the token once on a 401 invalid_token.
type Client struct {
	cfg  Config
	send sender
}

// sender is the part that differs between proxy and direct mode.
type sender interface {
	send(ctx context.Context, c *Call, token string) (*Result, error)
}

// New checks cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.Transport == nil && cfg.ProxyFunc == nil {
		return nil, sberr.New(sberr.InvalidArgument, "client needs a transport")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	c := &Client{cfg: cfg}
	modes := 0
	for _, set := range []bool{cfg.Proxy != nil, cfg.ProxyFunc != nil, cfg.BaseURL != ""} {
		if set {
			modes++
		}
	}
	switch {
	case modes > 1:
		return nil, sberr.New(sberr.InvalidArgument, "createClient takes one of proxyEndpointDescriptor, proxyRequest and baseURL, not several")
	case cfg.ProxyFunc != nil:
		c.send = proxySender{post: cfg.ProxyFunc, where: "proxyRequest"}
	case cfg.Proxy != nil:
		if err := checkProxy(cfg.Proxy); err != nil {
			return nil, err
		}
		c.send = proxySender{post: endpointPoster(cfg.Transport, cfg.Proxy), where: "the intermediary at " + cfg.Proxy.Path}
	case cfg.BaseURL != "":
		if !hasHTTPScheme(cfg.BaseURL) {
			return nil, sberr.New(sberr.InvalidArgument, "baseURL must be an absolute http(s) URL, got %q", cfg.BaseURL)
		}
		c.send = directSender{t: cfg.Transport, base: strings.TrimRight(cfg.BaseURL, "/")}
	default:
		return nil, sberr.New(sberr.InvalidArgument, "createClient needs a proxyEndpointDescriptor or a proxyRequest function (calls through your intermediary), or a baseURL (direct calls with a scoped token)")
	}
	return c, nil
}

func checkProxy(p *ProxyEndpoint) error {
	if p.Path == "" {
		return sberr.New(sberr.InvalidArgument, "proxyEndpointDescriptor.path is required, e.g. \"/api/embed-intermediary\"")
	}
	if p.Method == "" {
		p.Method = "POST"
	}
	return nil
}

// Claims returns the current token's claims, if it has readable ones.
func (c *Client) Claims() (session.Claims, bool) {
	if c.cfg.Tokens == nil {
		return session.Claims{}, false
	}
	return c.cfg.Tokens.Claims()
}

// Do runs one call. A non-2xx answer is an http_error carrying the status
// and the decoded body; nothing is sent when sealing is asked for and
// cannot be done.
func (c *Client) Do(ctx context.Context, call Call) (*Result, error) {
	if err := call.normalize(); err != nil {
		return nil, err
	}
	// A nil Seal means the caller asked for no sealing; an empty one is a
	// request to seal that names nothing, which would send the body in
	// clear while the caller believes it sealed: refused by seal.
	var s *sealed
	if call.Seal != nil {
		var err error
		if s, err = c.seal(&call); err != nil {
			return nil, err
		}
		if err := checkBody(call.Body); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	res, err := c.run(ctx, &call, s)
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			return nil, sberr.Wrap(err, sberr.Timeout, "%s %s took longer than %v; raise timeoutMs or check the server", call.Method, call.Path, c.cfg.Timeout)
		}
		return nil, err
	}
	if res.Status < 200 || res.Status > 299 {
		return nil, httpError(&call, res)
	}
	return res, nil
}

// run sends the call, and once more sealed with a fresh key when the
// provider answers that it no longer knows the key (it rotated). A second
// refusal is final: no loop.
func (c *Client) run(ctx context.Context, call *Call, s *sealed) (*Result, error) {
	attempt := 0
	res, err := c.sendWithRenewal(ctx, call, &attempt)
	if err != nil || s == nil || !refusesKey(call, res) {
		return res, err
	}
	if err := c.cfg.Keys.Refresh(ctx, s.keyID); err != nil {
		return nil, err
	}
	call.Body = s.original
	if _, err := c.seal(call); err != nil {
		return nil, err
	}
	res, err = c.sendWithRenewal(ctx, call, &attempt)
	if err == nil && refusesKey(call, res) {
		e := sberr.New(sberr.KeyUnknown, "%s %s: the provider refused the key again after it was fetched anew; check that the key endpoint serves the key the provider decrypts with", call.Method, pathOnly(call.Path))
		e.Status, e.Body = res.Status, res.Body
		return nil, e
	}
	return res, err
}

// refusesKey reports an answer saying the provider does not know the kid.
func refusesKey(call *Call, res *Result) bool {
	return res != nil && (res.Status < 200 || res.Status > 299) && sberr.CodeOf(httpError(call, res)) == sberr.KeyUnknown
}

// seal seals call.Body in place and returns what resealing needs.
func (c *Client) seal(call *Call) (*sealed, error) {
	if len(call.Seal) == 0 {
		return nil, sberr.New(sberr.InvalidArgument, "request seal is an empty list: name the JSON Pointers to seal (e.g. [\"/password\"]), or omit seal to send the body as it is; nothing was sent")
	}
	if c.cfg.Keys == nil {
		return nil, sberr.New(sberr.InvalidArgument, "request asks to seal %v but the client has no key: pass key (from fetchKey) to createClient; nothing was sent", call.Seal)
	}
	if call.Body == nil {
		return nil, sberr.New(sberr.InvalidArgument, "request asks to seal %v but has no body", call.Seal)
	}
	out, keyID, err := c.cfg.Keys.Seal(call.Body, call.Seal)
	if err != nil {
		return nil, err
	}
	s := &sealed{original: call.Body, keyID: keyID}
	call.Body = out
	return s, nil
}

// sendWithRenewal sends once, and once more with a renewed token when the
// server says the token is invalid. Never more: no loop. attempt counts
// the sends of the call, for the hooks.
func (c *Client) sendWithRenewal(ctx context.Context, call *Call, attempt *int) (*Result, error) {
	tok, err := c.token(ctx)
	if err != nil {
		return nil, err
	}
	res, err := c.attempt(ctx, call, tok, attempt)
	if err != nil || tok == "" || !res.invalidToken() {
		return res, err
	}
	fresh, err := c.cfg.Tokens.Invalidate(ctx, tok)
	if err != nil {
		return nil, err
	}
	return c.attempt(ctx, call, fresh, attempt)
}

func (c *Client) attempt(ctx context.Context, call *Call, tok string, n *int) (*Result, error) {
	*n++
	return c.observed(call, *n, func() (*Result, error) { return c.send.send(ctx, call, tok) })
}

func (c *Client) token(ctx context.Context) (string, error) {
	if c.cfg.Tokens == nil {
		return "", nil
	}
	return c.cfg.Tokens.Token(ctx)
}

// hasHTTPScheme is a backstop for BaseURL: it must start with http:// or
// https://. The page's edge checks the whole URL first, with the
// platform's URL parser, the one fetch uses (jsbridge.HTTPURL); the module
// links no URL parser of its own.
func hasHTTPScheme(s string) bool {
	for _, scheme := range []string{"https://", "http://"} {
		if len(s) > len(scheme) && strings.EqualFold(s[:len(scheme)], scheme) {
			return true
		}
	}
	return false
}
