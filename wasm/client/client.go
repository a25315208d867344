package client

import (
	"context"
	"net/url"
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

// Sealer seals the JSON values at pointers in a JSON body.
type Sealer func(body []byte, pointers []string) ([]byte, error)

// Config configures a Client. Exactly one of Proxy and BaseURL is set.
type Config struct {
	Transport Transport
	Proxy     *ProxyEndpoint
	BaseURL   string           // direct calls, with the scoped token
	Tokens    *session.Renewer // nil: calls carry no token
	Timeout   time.Duration    // per call; 0: DefaultTimeout
	Seal      Sealer           // nil: calls that ask for sealing are refused
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
	if cfg.Transport == nil {
		return nil, sberr.New(sberr.InvalidArgument, "client needs a transport")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	c := &Client{cfg: cfg}
	switch {
	case cfg.Proxy != nil && cfg.BaseURL != "":
		return nil, sberr.New(sberr.InvalidArgument, "createClient takes proxyEndpointDescriptor or baseURL, not both")
	case cfg.Proxy != nil:
		if err := checkProxy(cfg.Proxy); err != nil {
			return nil, err
		}
		c.send = proxySender{t: cfg.Transport, ep: cfg.Proxy}
	case cfg.BaseURL != "":
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, sberr.New(sberr.InvalidArgument, "baseURL must be an absolute http(s) URL, got %q", cfg.BaseURL)
		}
		c.send = directSender{t: cfg.Transport, base: strings.TrimRight(cfg.BaseURL, "/")}
	default:
		return nil, sberr.New(sberr.InvalidArgument, "createClient needs a proxyEndpointDescriptor (calls through your intermediary) or a baseURL (direct calls with a scoped token)")
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
	if len(call.Seal) > 0 {
		if err := c.seal(&call); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	res, err := c.sendWithRenewal(ctx, &call)
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

func (c *Client) seal(call *Call) error {
	if c.cfg.Seal == nil {
		return sberr.New(sberr.InvalidArgument, "request asks to seal %v but the client has no key: pass key (from fetchKey) to createClient; nothing was sent", call.Seal)
	}
	if call.Body == nil {
		return sberr.New(sberr.InvalidArgument, "request asks to seal %v but has no body", call.Seal)
	}
	sealed, err := c.cfg.Seal(call.Body, call.Seal)
	if err != nil {
		return err
	}
	call.Body = sealed
	return nil
}

// sendWithRenewal sends once, and once more with a renewed token when the
// server says the token is invalid. Never more: no loop.
func (c *Client) sendWithRenewal(ctx context.Context, call *Call) (*Result, error) {
	tok, err := c.token(ctx)
	if err != nil {
		return nil, err
	}
	res, err := c.send.send(ctx, call, tok)
	if err != nil || tok == "" || !res.invalidToken() {
		return res, err
	}
	fresh, err := c.cfg.Tokens.Invalidate(ctx, tok)
	if err != nil {
		return nil, err
	}
	return c.send.send(ctx, call, fresh)
}

func (c *Client) token(ctx context.Context) (string, error) {
	if c.cfg.Tokens == nil {
		return "", nil
	}
	return c.cfg.Tokens.Token(ctx)
}
