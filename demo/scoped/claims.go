// Package scoped owns the scoped checkout tokens: short-lived JWTs
// (RFC 7519) signed with RS256 (RFC 7515) by the provider, each scoped to one
// customer and one invoice. It holds the claims the provider mints (Claims,
// used by the embedded sandbox to sign), the one claim validator every
// verifying server runs (Claims.Validate, used by the sandbox's invoice API
// and by Verifier), and Verifier, which checks a token against the
// provider's published key set (JWKS, RFC 7517) for the dev server and the
// intermediary. The page reads these tokens unverified (wasm/session);
// every server that acts on one verifies it here.
package scoped

import (
	"errors"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/sealbridge/sealbridge/demo/apierr"
)

// Alg is the only algorithm scoped tokens are signed with and the only one
// a verifier accepts, whatever the token's header says (RFC 8725 §3.1): it
// rules out "none" and HS256 keyed with the public key.
const Alg = jose.RS256

// Claims are a scoped token's payload: the registered claims (iss, aud,
// exp, nbf, iat, jti) and the four that scope it.
type Claims struct {
	jwt.Claims
	PartnerID  string `json:"partner_id"`
	ClientID   string `json:"client_id"`
	CustomerID string `json:"customer_id"`
	InvoiceID  string `json:"invoice_id"`
}

// Expected is what Validate checks the claims against.
type Expected struct {
	Issuer   string        // must equal iss
	Audience string        // must be one of aud
	Now      time.Time     // the verifier's clock
	Leeway   time.Duration // clock skew tolerated on exp, nbf and iat
}

// TokenError is a token found bad. Reason says why and never quotes the
// token. It wraps apierr.ErrInvalidToken: the intermediary answers it with
// 401 invalid_token, on which the page renews its token.
type TokenError struct{ Reason string }

func (e *TokenError) Error() string { return "scoped token refused: " + e.Reason }

// Unwrap makes errors.Is(err, apierr.ErrInvalidToken) hold.
func (e *TokenError) Unwrap() error { return apierr.ErrInvalidToken }

// Refuse returns a *TokenError with reason.
func Refuse(reason string) error { return &TokenError{Reason: reason} }

// ParseCompact reads raw as a compact JWS signed with Alg, at most maxLen
// bytes long. It does not check the signature.
func ParseCompact(raw string, maxLen int) (*jwt.JSONWebToken, error) {
	if len(raw) > maxLen {
		return nil, Refuse("token is too long")
	}
	if strings.Count(raw, ".") != 2 {
		return nil, Refuse("token is not a compact JWS (three dot-separated parts)")
	}
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{Alg})
	if err != nil {
		return nil, Refuse("token is malformed or not signed with " + string(Alg))
	}
	return tok, nil
}

// Validate checks claims whose signature has been verified: exp is
// required; exp, nbf and iat hold at want.Now within want.Leeway; iss and
// aud are want's; partner_id, client_id, customer_id and invoice_id are
// present. Whether the token's customer and invoice are the ones asked for
// is the caller's business. A failure is a *TokenError.
func (c *Claims) Validate(want Expected) error {
	if c.Expiry == nil {
		return Refuse("token has no exp")
	}
	exp := jwt.Expected{Issuer: want.Issuer, AnyAudience: jwt.Audience{want.Audience}, Time: want.Now}
	if err := c.ValidateWithLeeway(exp, want.Leeway); err != nil {
		switch {
		case errors.Is(err, jwt.ErrExpired):
			return Refuse("token expired")
		case errors.Is(err, jwt.ErrNotValidYet), errors.Is(err, jwt.ErrIssuedInTheFuture):
			return Refuse("token is not valid yet")
		case errors.Is(err, jwt.ErrInvalidIssuer):
			return Refuse("token has the wrong issuer")
		case errors.Is(err, jwt.ErrInvalidAudience):
			return Refuse("token has the wrong audience")
		default:
			return Refuse("token claims are invalid")
		}
	}
	if c.PartnerID == "" || c.ClientID == "" || c.CustomerID == "" || c.InvoiceID == "" {
		return Refuse("token lacks partner_id, client_id, customer_id or invoice_id")
	}
	return nil
}
