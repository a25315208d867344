package intermediary

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sealbridge/sealbridge/demo/apierr"
	"github.com/sealbridge/sealbridge/demo/internal/redact"
	"github.com/sealbridge/sealbridge/demo/provider"
)

// Defaults for zero Config fields.
const (
	DefaultDispatchPath  = "/v1/encoded_requests/dispatch"
	DefaultStagingHeader = "X-Qonto-Staging-Token"
	DefaultTimeout       = 25 * time.Second
	DefaultMaxBody       = 256 << 10 // inbound request body
	DefaultMaxUpstream   = 4 << 20   // provider answer
)

// CSRFHeader must be present (any non-empty value) on every call: a
// cross-site form cannot set it, and a cross-site fetch that sets it needs a
// CORS preflight. With the Qonto Embed SDK, put it in
// proxyEndpointDescriptor.options.headers.
const CSRFHeader = "X-Sealbridge-Request"

// ErrInvalidToken is what Config.VerifyCaller returns (or wraps) when the
// caller's bearer token is expired or invalid: the handler answers 401 with
// WWW-Authenticate: Bearer error="invalid_token", which tells the page to
// renew its token.
//
// It is apierr.ErrInvalidToken, so that a verifier (such as
// scoped.Verifier) can return it without importing this package.
var ErrInvalidToken = apierr.ErrInvalidToken

// Config configures New. ProviderURL and Token are required.
type Config struct {
	// ProviderURL is the provider API's base URL (http or https, no query).
	// The handler calls POST {ProviderURL}{DispatchPath}.
	ProviderURL  string
	DispatchPath string // default DefaultDispatchPath
	// Token returns the provider access token. It is called once per
	// forwarded request with the request's deadline; cache and refresh
	// inside it (an oauth2.TokenSource does).
	Token         func(ctx context.Context) (string, error)
	StagingToken  string // optional; sent as StagingHeader
	StagingHeader string // default DefaultStagingHeader
	// Allow lists the methods and path templates that may be forwarded;
	// empty means DefaultAllow.
	Allow []Rule
	// Authenticate reports whether the caller is signed in (e.g. has a
	// live session). nil refuses every call with 401: the intermediary is
	// never a public proxy.
	Authenticate func(r *http.Request) bool
	// VerifyCaller, if set, runs after Authenticate on every call, e.g. to
	// check a scoped bearer token the page sends. An error that is (or
	// wraps) ErrInvalidToken, or an sberr error with code invalid_token,
	// gives 401 invalid_token; apierr.ErrStoreUnavailable gives 503
	// session_store_unavailable; any other error gives 403 forbidden.
	VerifyCaller func(r *http.Request) error
	// AuthorizeCall, if set, runs once the descriptor has matched an
	// allowlist rule and before the provider is called, with that rule and
	// the values its placeholders took: it is where a caller's scoped
	// token is bound to the call (its invoice_id to the path's {invoice}).
	// Its errors map like VerifyCaller's, and apierr.ErrOutOfScope (a
	// valid token used beyond its scope) gives 403 forbidden. Without
	// it, calls on rules naming {invoice} are refused (InvoiceParam).
	AuthorizeCall func(r *http.Request, call Call) error
	// TrustedOrigins are extra origins (scheme://host[:port]) allowed to
	// call cross-origin; same-origin calls need none.
	TrustedOrigins []string
	// Client sends the upstream requests. nil: a client with bounded
	// dial and TLS times (Timeout bounds the rest). Whatever client is
	// given, the handler uses a copy that follows no redirect and keeps no
	// cookies, and calls its Transport itself: the client's Timeout, if
	// set, still bounds each call.
	Client      *http.Client
	Timeout     time.Duration // upstream deadline (token + call + body); default DefaultTimeout
	MaxBody     int64         // inbound body limit in bytes; default DefaultMaxBody
	MaxUpstream int64         // provider answer limit in bytes; default DefaultMaxUpstream
	// ForwardHeaders are the descriptor headers passed on (case-insensitive);
	// empty means DefaultForwardHeaders. Credential, routing and hop-by-hop
	// headers can never be listed.
	ForwardHeaders []string
	Logger         *slog.Logger // nil: discard
}

// Call is the allowlisted call that Config.AuthorizeCall is asked about.
type Call struct {
	Method   string
	Template string // the allowlist rule the path matched
	// Params holds each placeholder of Template, without braces, and the
	// path segment it matched, as sent: "/v1/invoices/{invoice}" on
	// "/v1/invoices/inv_1001" gives {"invoice": "inv_1001"}. nil when
	// Template has none.
	Params map[string]string
}

// handler is the configured intermediary.
type handler struct {
	cfg         Config
	dispatchURL string
	rules       []rule
	headers     headerFilter
	client      *http.Client
	cop         *http.CrossOriginProtection
	log         *slog.Logger
	now         func() time.Time
}

// New checks cfg and returns the intermediary handler.
func New(cfg Config) (http.Handler, error) {
	h, err := newHandler(cfg)
	if err != nil {
		return nil, err
	}
	return h, nil
}

func newHandler(cfg Config) (*handler, error) {
	if cfg.Token == nil {
		return nil, errors.New("intermediary: Config.Token is required (it returns the provider access token)")
	}
	base, err := checkProviderURL(cfg.ProviderURL)
	if err != nil {
		return nil, err
	}
	cfg, err = withDefaults(cfg)
	if err != nil {
		return nil, err
	}
	rules, err := compileRules(cfg.Allow)
	if err != nil {
		return nil, err
	}
	hf, err := newHeaderFilter(cfg.ForwardHeaders, cfg.StagingHeader)
	if err != nil {
		return nil, err
	}
	cop := http.NewCrossOriginProtection()
	for _, o := range cfg.TrustedOrigins {
		if err := cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("intermediary: TrustedOrigins: %w", err)
		}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Mounted alone, with the integrator's logger, it redacts too.
	log = slog.New(redact.NewHandler(log.Handler()))
	return &handler{
		cfg:         cfg,
		dispatchURL: base + cfg.DispatchPath,
		rules:       rules,
		headers:     hf,
		client:      upstreamClient(cfg.Client),
		cop:         cop,
		log:         log,
		now:         time.Now,
	}, nil
}

// withDefaults fills cfg's zero fields and checks the dispatch path and
// the staging token.
func withDefaults(cfg Config) (Config, error) {
	cfg.DispatchPath = cmp.Or(cfg.DispatchPath, DefaultDispatchPath)
	if !strings.HasPrefix(cfg.DispatchPath, "/") || strings.HasPrefix(cfg.DispatchPath, "//") || strings.ContainsAny(cfg.DispatchPath, "?#\\ ") {
		return cfg, fmt.Errorf("intermediary: DispatchPath %q must be a plain path starting with \"/\"", cfg.DispatchPath)
	}
	cfg.StagingHeader = cmp.Or(cfg.StagingHeader, DefaultStagingHeader)
	if strings.ContainsAny(cfg.StagingToken, "\r\n\x00") {
		return cfg, errors.New("intermediary: StagingToken has a line break or NUL")
	}
	if len(cfg.Allow) == 0 {
		cfg.Allow = DefaultAllow
	}
	if len(cfg.ForwardHeaders) == 0 {
		cfg.ForwardHeaders = DefaultForwardHeaders
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.MaxUpstream <= 0 {
		cfg.MaxUpstream = DefaultMaxUpstream
	}
	return cfg, nil
}

// checkProviderURL returns the base URL without a trailing slash.
func checkProviderURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("intermediary: ProviderURL must be an absolute http(s) URL, e.g. https://api.provider.example")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", errors.New("intermediary: ProviderURL must have no userinfo, query or fragment")
	}
	return strings.TrimRight(s, "/"), nil
}

// upstreamClient is c (or a client on provider.NewTransport) hardened: it
// never follows a redirect, which would carry the access and staging
// tokens to whatever host the Location names, and never stores provider
// cookies, which would be shared between all callers.
//
// The default transport has no header timeout of its own: every call's
// context carries Config.Timeout (serve), which bounds the wait for the
// answer's headers as well as the rest, and a second bound of the same
// length would only cost a timer per call.
func upstreamClient(c *http.Client) *http.Client {
	if c == nil {
		c = &http.Client{Transport: provider.NewTransport(0)}
	}
	return provider.Harden(c, 0)
}
