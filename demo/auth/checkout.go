package auth

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// CheckoutMinterConfig configures NewCheckoutMinter.
type CheckoutMinterConfig struct {
	// ProviderURL is the provider's base URL (the sandbox's, in the demo),
	// without a trailing slash. Required.
	ProviderURL string
	// InitPath is the scoped-token endpoint; "" means "/v1/checkout-auth/init".
	InitPath string
	// ClientID and ClientSecret are the dev server's client credentials.
	// They are used only for the token endpoint and never leave this type.
	ClientID, ClientSecret string
	// TokenURL is the provider's token endpoint; "" means ProviderURL + "/auth/token".
	TokenURL string
	// Scopes are requested with the client credentials; optional.
	Scopes []string
	// Source, when set, replaces the client-credentials token source built
	// from the fields above (e.g. to share one with the intermediary). It
	// must cache: every mint calls Token.
	Source oauth2.TokenSource
	// HTTPClient calls the provider; nil means a client with a 10 s
	// timeout. Whatever is given, redirects are never followed (they would
	// carry the bearer token elsewhere) and a zero Timeout becomes 10 s.
	HTTPClient *http.Client
	// Owns says whether user may pay invoiceID and for which customer; nil
	// means DemoOwnership.
	Owns func(user, invoiceID string) (customerID string, ok bool)
	// Logger gets one line per mint (invoice id, outcome, status), never a
	// token or secret; nil means discard.
	Logger *slog.Logger
}

// CheckoutMinter serves POST /api/checkout-token {"invoice_id": "..."} for a
// signed-in page: it checks that the session's user owns the invoice, gets
// the dev server's provider access token (client credentials, cached and
// shared by concurrent requests), asks the provider for a scoped token and
// answers {"token": "<JWT>"}. The client secret and the access token never
// reach the page.
//
// It reads the session with From, so mount it behind Sessions.Require.
// Build it with NewCheckoutMinter.
type CheckoutMinter struct {
	initURL string
	client  *http.Client
	owns    func(user, invoiceID string) (string, bool)
	log     *slog.Logger
	src     *checkoutSource
}

// DemoOwnership is the demo's ownership table: "demo-user" is customer
// cus_demo, which owns inv_1001 and inv_1002. The sandbox's other customer
// (cus_other, inv_2001) belongs to no dev-server user, so that its invoice
// is the one to try and fail to reach.
func DemoOwnership(user, invoiceID string) (customerID string, ok bool) {
	owned := demoOwners[user]
	for _, id := range owned.invoices {
		if id == invoiceID {
			return owned.customer, true
		}
	}
	return "", false
}

// demoOwners is the demo's user -> customer -> invoices table, matching
// the sandbox's seeded data.
var demoOwners = map[string]struct {
	customer string
	invoices []string
}{
	"demo-user": {customer: "cus_demo", invoices: []string{"inv_1001", "inv_1002"}},
}

// DemoInvoices lists the invoices user may check out in the demo.
func DemoInvoices(user string) []string {
	return append([]string(nil), demoOwners[user].invoices...)
}

// NewCheckoutMinter builds a CheckoutMinter. It makes no network call.
func NewCheckoutMinter(cfg CheckoutMinterConfig) (*CheckoutMinter, error) {
	base := strings.TrimSuffix(cfg.ProviderURL, "/")
	if base == "" {
		return nil, errors.New("auth: CheckoutMinterConfig.ProviderURL is required")
	}
	if cfg.Source == nil && (cfg.ClientID == "" || cfg.ClientSecret == "") {
		return nil, errors.New("auth: CheckoutMinterConfig needs ClientID and ClientSecret, or a Source")
	}
	initPath := cfg.InitPath
	if initPath == "" {
		initPath = "/v1/checkout-auth/init"
	}
	m := &CheckoutMinter{
		initURL: base + initPath,
		client:  checkoutHTTPClient(cfg.HTTPClient),
		owns:    cfg.Owns,
		log:     cfg.Logger,
	}
	if m.owns == nil {
		m.owns = DemoOwnership
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	if cfg.Source != nil {
		m.src = &checkoutSource{cur: &checkoutSourceBox{cfg.Source}}
		return m, nil
	}
	tokenURL := cfg.TokenURL
	if tokenURL == "" {
		tokenURL = base + "/auth/token"
	}
	cc := &clientcredentials.Config{
		ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, TokenURL: tokenURL, Scopes: cfg.Scopes,
		// One style, not auto-detection: a failed attempt would otherwise
		// be retried the other way, hitting the endpoint twice.
		AuthStyle: oauth2.AuthStyleInHeader,
	}
	// The token fetch runs under a background context carrying our client,
	// not the request's: it is shared by every waiting request, so one
	// caller giving up must not fail the others. The client's Timeout
	// bounds it.
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, m.client)
	fresh := func() oauth2.TokenSource { return cc.TokenSource(ctx) }
	m.src = &checkoutSource{cur: &checkoutSourceBox{fresh()}, fresh: fresh}
	return m, nil
}

// checkoutHTTPClient returns a copy of c (or a default) that follows no
// redirect and has a timeout.
func checkoutHTTPClient(c *http.Client) *http.Client {
	var cp http.Client
	if c != nil {
		cp = *c
	}
	if cp.Timeout <= 0 {
		cp.Timeout = 10 * time.Second
	}
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

// checkoutSource holds the current token source. x/oauth2 offers no way to
// drop a cached token the provider has stopped accepting (revoked, or the
// clocks disagree), so on a 401 the whole source is replaced, once per
// generation however many requests saw the 401.
type checkoutSource struct {
	mu    sync.Mutex
	cur   *checkoutSourceBox
	fresh func() oauth2.TokenSource // nil: a caller-supplied Source, kept as is
}

// checkoutSourceBox gives each generation an identity to compare.
type checkoutSourceBox struct{ oauth2.TokenSource }

func (s *checkoutSource) get() *checkoutSourceBox {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur
}

// replace swaps in a fresh source if old is still current, and reports
// whether a retry can get a different token.
func (s *checkoutSource) replace(old *checkoutSourceBox) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fresh == nil {
		return false
	}
	if s.cur == old {
		s.cur = &checkoutSourceBox{s.fresh()}
	}
	return true
}
