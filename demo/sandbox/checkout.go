package sandbox

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// CheckoutConfig configures checkout scoped tokens: the partner
// backend trades its OAuth access token for a short-lived JWT scoped to one
// customer and invoice, and the page calls the invoice API with that JWT.
// The zero value is usable.
type CheckoutConfig struct {
	// Issuer is the JWT's iss; "" means "sealbridge-sandbox".
	Issuer string
	// Audience is the JWT's aud; "" means "sealbridge-checkout".
	Audience string
	// PartnerID is the partner_id claim; "" means "sbx_partner_demo".
	PartnerID string
	// TokenTTL is the scoped token's lifetime; 0 means 15 minutes.
	TokenTTL time.Duration
	// Leeway is the clock skew tolerated on exp, nbf and iat: 0 means 30 s,
	// a negative value means none, more than 60 s is refused (RFC 8725
	// keeps it small: a long leeway is a longer-lived token).
	Leeway time.Duration
	// AllowedOrigins are the exact origins (scheme://host[:port]) whose pages
	// may call the invoice API directly. No wildcard: an empty list means
	// no cross-origin caller.
	AllowedOrigins []string
}

// DefaultCheckoutIssuer and DefaultCheckoutAudience are the iss and aud
// of scoped tokens when CheckoutConfig leaves them empty; servers that
// verify the tokens need them.
const (
	DefaultCheckoutIssuer   = "sealbridge-sandbox"
	DefaultCheckoutAudience = "sealbridge-checkout"
)

const (
	defaultCheckoutPartner = "sbx_partner_demo"
	defaultCheckoutTTL     = 15 * time.Minute
	defaultCheckoutLeeway  = 30 * time.Second
	maxCheckoutLeeway      = 60 * time.Second
)

// checkoutServer holds the feature's state: the signing key, the demo
// customers and invoices, and counters for tests.
type checkoutServer struct {
	issuer, audience, partnerID string
	ttl, leeway                 time.Duration
	now                         func() time.Time
	key                         func() (*checkoutKey, error) // generated on first use
	cors                        *checkoutCORS
	data                        *checkoutData
	mints                       atomic.Int64
}

func newCheckoutServer(cfg CheckoutConfig, now func() time.Time) (*checkoutServer, error) {
	c := &checkoutServer{
		issuer: cfg.Issuer, audience: cfg.Audience, partnerID: cfg.PartnerID,
		ttl: cfg.TokenTTL, leeway: cfg.Leeway, now: now,
		cors: newCheckoutCORS(cfg.AllowedOrigins),
	}
	if c.issuer == "" {
		c.issuer = DefaultCheckoutIssuer
	}
	if c.audience == "" {
		c.audience = DefaultCheckoutAudience
	}
	if c.partnerID == "" {
		c.partnerID = defaultCheckoutPartner
	}
	if c.ttl <= 0 {
		c.ttl = defaultCheckoutTTL
	}
	switch {
	case c.leeway == 0:
		c.leeway = defaultCheckoutLeeway
	case c.leeway < 0:
		c.leeway = 0
	case c.leeway > maxCheckoutLeeway:
		return nil, fmt.Errorf("sandbox: Checkout.Leeway is %s; it must be at most %s", cfg.Leeway, maxCheckoutLeeway)
	}
	// The RSA key costs tens of milliseconds: made on first use, so that
	// a sandbox that never mints (most tests) does not pay for it.
	c.key = sync.OnceValues(newCheckoutKey)
	return c, nil
}

func (s *Sandbox) mountCheckout() error {
	c, err := newCheckoutServer(s.cfg.Checkout, s.now)
	if err != nil {
		return err
	}
	c.data = newCheckoutData(s.cfg.Limits.PaymentsPerInvoice)
	s.checkout = c
	s.mux.HandleFunc("GET /.well-known/jwks.json", c.handleJWKS)
	s.mux.HandleFunc("POST /v1/checkout-auth/init", s.handleCheckoutInit)
	// The invoice API is called from the page, cross-origin: every answer,
	// errors included, goes through the CORS layer so that the page can
	// read a 401 and renew its token.
	for _, p := range []string{"/v1/invoices/{id}", "/v1/invoices/{id}/payments"} {
		s.mux.Handle("OPTIONS "+p, c.cors.preflight(p))
	}
	s.mux.Handle("GET /v1/invoices/{id}", c.cors.wrap(http.HandlerFunc(c.handleGetInvoice)))
	s.mux.Handle("POST /v1/invoices/{id}/payments", c.cors.wrap(http.HandlerFunc(c.handlePay)))
	return nil
}

// MintCount is the number of scoped tokens POST /v1/checkout-auth/init has
// issued since start.
func (s *Sandbox) MintCount() int { return int(s.checkout.mints.Load()) }

// checkoutInitRequest is POST /v1/checkout-auth/init's body.
type checkoutInitRequest struct {
	CustomerID string `json:"customer_id"`
	InvoiceID  string `json:"invoice_id"`
}

// checkoutInitResponse carries the scoped token. The seed shows no field
// name; "token" is the one the SDK's onAccessTokenExpired flow passes on.
type checkoutInitResponse struct {
	Token string `json:"token"`
}

// handleCheckoutInit mints a scoped token for the partner whose OAuth access
// token authenticates the call.
func (s *Sandbox) handleCheckoutInit(w http.ResponseWriter, r *http.Request) {
	g, _, ok := s.bearer(w, r)
	if !ok {
		return
	}
	// Only the partner itself (client credentials) mints checkout tokens: a
	// token obtained for one end user must not become a token for any
	// customer, and a 2FA-restricted token can do nothing yet.
	if g.Subject != "" || g.Restricted {
		writeError(w, http.StatusForbidden, "forbidden", "checkout tokens are minted with a client_credentials access token")
		return
	}
	var req checkoutInitRequest
	if !readJSON(w, r, 4<<10, &req) {
		return
	}
	if req.CustomerID == "" || req.InvoiceID == "" {
		writeError(w, http.StatusBadRequest, "invalid_request", "customer_id and invoice_id are required")
		return
	}
	c := s.checkout
	inv, found := c.data.invoice(req.InvoiceID)
	switch {
	case !c.data.hasCustomer(req.CustomerID):
		writeError(w, http.StatusNotFound, "not_found", "no such customer")
		return
	case !found:
		writeError(w, http.StatusNotFound, "not_found", "no such invoice")
		return
	case inv.CustomerID != req.CustomerID:
		writeError(w, http.StatusForbidden, "forbidden", "the invoice does not belong to the customer")
		return
	}
	tok, err := c.mint(g.ClientID, req.CustomerID, req.InvoiceID)
	if err != nil {
		s.log.Error("checkout: signing a scoped token failed", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "could not sign the token")
		return
	}
	c.mints.Add(1)
	s.log.Info("checkout: scoped token minted", "customer_id", req.CustomerID, "invoice_id", req.InvoiceID)
	writeJSON(w, http.StatusOK, checkoutInitResponse{Token: tok})
}
