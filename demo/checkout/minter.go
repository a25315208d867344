// Package checkout serves POST /api/checkout-token: for a signed-in page it
// checks that the session's user owns the invoice, obtains a scoped token
// for that customer and invoice from the provider with the server's
// client-credentials token (RFC 6749 §4.4), and answers {"token": "<JWT>"}.
// What such a token holds and how it is verified is package scoped.
package checkout

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/sealbridge/sealbridge/demo/internal/redact"
	"github.com/sealbridge/sealbridge/demo/provider"
)

// MinterConfig configures NewMinter.
type MinterConfig struct {
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
	// AuthStyle is how the client authenticates at TokenURL (see
	// provider.ParseAuthStyle); zero is HTTP Basic, never auto-detection.
	AuthStyle oauth2.AuthStyle
	// Source, when set, replaces the client-credentials token source built
	// from the fields above (the dev server shares its one provider.Tokens
	// with the intermediary). It must cache: every mint calls Token. A
	// *provider.Tokens is renewed when the provider refuses its token;
	// another source is used as it is.
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

// Minter serves POST /api/checkout-token {"invoice_id": "..."} for a
// signed-in page: it checks that the session's user owns the invoice, gets
// the dev server's provider access token (client credentials, cached and
// shared by concurrent requests), asks the provider for a scoped token and
// answers {"token": "<JWT>"}. The client secret and the access token never
// reach the page.
//
// It reads the session with session.From, so mount it behind
// session.Sessions.Require.
// Build it with NewMinter.
type Minter struct {
	initURL string
	client  *http.Client
	owns    func(user, invoiceID string) (string, bool)
	log     *slog.Logger
	tokens  *provider.Tokens
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

// DemoOwnsCustomer reports whether customerID is user's customer in the
// demo's table: a scoped token for any other customer gives this user
// nothing through the intermediary.
func DemoOwnsCustomer(user, customerID string) bool {
	owned, ok := demoOwners[user]
	return ok && customerID != "" && owned.customer == customerID
}

// DemoInvoices lists the invoices user may check out in the demo.
func DemoInvoices(user string) []string {
	return append([]string(nil), demoOwners[user].invoices...)
}

// NewMinter builds a Minter. It makes no network call.
func NewMinter(cfg MinterConfig) (*Minter, error) {
	base := strings.TrimSuffix(cfg.ProviderURL, "/")
	if base == "" {
		return nil, errors.New("checkout: MinterConfig.ProviderURL is required")
	}
	if cfg.Source == nil && (cfg.ClientID == "" || cfg.ClientSecret == "") {
		return nil, errors.New("checkout: MinterConfig needs ClientID and ClientSecret, or a Source")
	}
	initPath := cfg.InitPath
	if initPath == "" {
		initPath = "/v1/checkout-auth/init"
	}
	m := &Minter{
		initURL: base + initPath,
		client:  provider.Harden(cfg.HTTPClient, 10*time.Second),
		owns:    cfg.Owns,
		log:     cfg.Logger,
	}
	if m.owns == nil {
		m.owns = DemoOwnership
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	// Mounted alone, with an integrator's logger, it redacts too.
	m.log = slog.New(redact.NewHandler(m.log.Handler()))
	m.tokens = minterTokens(cfg, base, m.client)
	return m, nil
}

// minterTokens is cfg.Source, or client credentials from cfg.
func minterTokens(cfg MinterConfig, base string, client *http.Client) *provider.Tokens {
	if t, ok := cfg.Source.(*provider.Tokens); ok {
		return t
	}
	if cfg.Source != nil {
		return provider.Fixed(cfg.Source)
	}
	tokenURL := cfg.TokenURL
	if tokenURL == "" {
		tokenURL = base + "/auth/token"
	}
	return provider.ClientCredentials(provider.ClientCredentialsConfig{
		ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, TokenURL: tokenURL, Scopes: cfg.Scopes,
		AuthStyle: cfg.AuthStyle, HTTPClient: client,
	})
}
