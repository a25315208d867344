package scoped

import (
	"net/http"
	"strings"

	"github.com/sealbridge/sealbridge/demo/apierr"
)

// InvoiceParam is the placeholder an allowlist rule names to bind a call
// to the scoped token's invoice: with "GET /v1/invoices/{invoice}", a
// token for inv_1001 reads /v1/invoices/inv_1001 and nothing else. It is
// intermediary.InvoiceParam, which this package may not import.
const InvoiceParam = "invoice"

// ScopeError is a valid token used beyond its scope: another customer's,
// or another invoice's. Reason says why and never quotes the token. It
// wraps apierr.ErrOutOfScope (403 forbidden): renewing the token would
// not help, so the page must not retry.
type ScopeError struct{ Reason string }

func (e *ScopeError) Error() string { return "scoped token out of scope: " + e.Reason }

// Unwrap makes errors.Is(err, apierr.ErrOutOfScope) hold.
func (e *ScopeError) Unwrap() error { return apierr.ErrOutOfScope }

// Bind checks that verified claims cover a call made by user, the
// session's user: the token's customer must be one ownsCustomer says user
// owns (a token minted for someone else's customer gives nothing to this
// session), and when the call names an invoice (params[InvoiceParam], the
// value the path took for the rule's {invoice}), the token's invoice_id
// must be exactly that value. Comparisons are byte for byte: "INV_1001"
// is not "inv_1001", since the provider may tell them apart.
func Bind(c VerifiedClaims, user string, ownsCustomer func(user, customerID string) bool, params map[string]string) error {
	if user == "" || ownsCustomer == nil || !ownsCustomer(user, c.CustomerID) {
		return &ScopeError{Reason: "the token's customer is not the signed-in user's"}
	}
	if invoice, named := params[InvoiceParam]; named && invoice != c.InvoiceID {
		return &ScopeError{Reason: "the token is for another invoice than the path's"}
	}
	return nil
}

// Guard checks the scoped token of each call the intermediary forwards
// (its Config.AuthorizeCall): the token is verified, then bound to the
// session's user and to the path's {invoice} (see Bind).
type Guard struct {
	// Verifier checks the token's signature and claims. Required.
	Verifier *Verifier
	// OwnsCustomer reports whether user owns customerID. Required.
	OwnsCustomer func(user, customerID string) bool
	// Required refuses every call without a bearer token (none, empty,
	// or another scheme such as Basic) with 401 invalid_token. Without
	// it such calls rely on the session alone, except on rules naming
	// {invoice}, which always need a token: there is nothing else to
	// bind the invoice to.
	Required bool
}

// Check authorises one call by user whose rule's placeholders took params.
// A missing or bad token gives an error wrapping apierr.ErrInvalidToken
// (401, the page renews); a valid token beyond its scope a *ScopeError
// (403); an unavailable JWKS, as for Verify, neither.
func (g *Guard) Check(r *http.Request, user string, params map[string]string) error {
	tok, err := BearerToken(r)
	if err != nil {
		return err
	}
	if tok == "" {
		if _, named := params[InvoiceParam]; named {
			return Refuse("this path names an invoice: send a scoped bearer token for it")
		}
		if g.Required {
			return Refuse("a scoped bearer token is required (Authorization: Bearer <token>)")
		}
		return nil
	}
	claims, err := g.Verifier.Verify(r.Context(), tok)
	if err != nil {
		return err
	}
	return Bind(claims, user, g.OwnsCustomer, params)
}

// BearerToken returns the request's bearer token: "" when there is no
// Authorization header or it uses another scheme (such as Basic, which a
// browser may add); an error wrapping apierr.ErrInvalidToken when there
// is more than one such header or the bearer token is empty. The scheme
// is case-insensitive (RFC 7235 §2.1).
func BearerToken(r *http.Request) (string, error) {
	vals := r.Header.Values("Authorization")
	if len(vals) == 0 {
		return "", nil
	}
	if len(vals) > 1 {
		return "", badScoped("more than one Authorization header")
	}
	scheme, tok, _ := strings.Cut(strings.TrimSpace(vals[0]), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", nil
	}
	tok = strings.TrimSpace(tok)
	if tok == "" {
		return "", badScoped("empty bearer token")
	}
	return tok, nil
}
