package sandbox

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/sealbridge/sealbridge/demo/scoped"
)

// checkoutAlg is the one algorithm scoped tokens are signed with and the
// only one the verifier accepts.
const checkoutAlg = scoped.Alg

// maxCheckoutTokenLen bounds what the verifier parses.
const maxCheckoutTokenLen = 4 << 10

// checkoutKey is the sandbox's signing key, generated once per sandbox and never
// written anywhere. Its kid is the RFC 7638 thumbprint.
type checkoutKey struct {
	kid    string
	priv   *rsa.PrivateKey
	signer jose.Signer
}

func newCheckoutKey() (*checkoutKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("sandbox: checkout signing key: %w", err)
	}
	thumb, err := (&jose.JSONWebKey{Key: &priv.PublicKey}).Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("sandbox: checkout key thumbprint: %w", err)
	}
	kid := base64.RawURLEncoding.EncodeToString(thumb)
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: checkoutAlg, Key: jose.JSONWebKey{Key: priv, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		return nil, fmt.Errorf("sandbox: checkout signer: %w", err)
	}
	return &checkoutKey{kid: kid, priv: priv, signer: signer}, nil
}

// publicJWK is the verification key as published: public members only.
func (k *checkoutKey) publicJWK() jose.JSONWebKey {
	return jose.JSONWebKey{Key: &k.priv.PublicKey, KeyID: k.kid, Algorithm: string(checkoutAlg), Use: "sig"}
}

// checkoutClaims are the scoped token's claims, as every verifier reads
// them.
type checkoutClaims = scoped.Claims

func (c *checkoutServer) mint(clientID, customerID, invoiceID string) (string, error) {
	key, err := c.key()
	if err != nil {
		return "", err
	}
	now := c.now()
	cl := checkoutClaims{
		Claims: jwt.Claims{
			Issuer:   c.issuer,
			Audience: jwt.Audience{c.audience},
			IssuedAt: jwt.NewNumericDate(now),
			Expiry:   jwt.NewNumericDate(now.Add(c.ttl)),
			ID:       randomToken("ctk_"),
		},
		PartnerID: c.partnerID, ClientID: clientID, CustomerID: customerID, InvoiceID: invoiceID,
	}
	return jwt.Signed(key.signer).Claims(cl).Serialize()
}

// verify checks a scoped token: shape, algorithm, kid, signature, iss, aud,
// exp (required), nbf and iat with the configured leeway, and the custom
// claims' presence. It trusts nothing in the header but the kid it must
// match; an embedded jwk, jku or x5u is ignored.
func (c *checkoutServer) verify(raw string) (checkoutClaims, error) {
	var cl checkoutClaims
	tok, err := scoped.ParseCompact(raw, maxCheckoutTokenLen)
	if err != nil {
		return cl, err
	}
	key, err := c.key()
	if err != nil {
		return cl, scoped.Refuse("no verification key")
	}
	if len(tok.Headers) != 1 || tok.Headers[0].KeyID != key.kid {
		return cl, scoped.Refuse("token is signed with an unknown key id")
	}
	if err := tok.Claims(&key.priv.PublicKey, &cl); err != nil {
		return cl, scoped.Refuse("token signature is invalid")
	}
	return cl, cl.Validate(scoped.Expected{Issuer: c.issuer, Audience: c.audience, Now: c.now(), Leeway: c.leeway})
}

// authorize reads and verifies the request's scoped token. On failure it has
// written a 401 (RFC 6750 §3.1) and returns false.
func (c *checkoutServer) authorize(w http.ResponseWriter, r *http.Request) (checkoutClaims, bool) {
	raw, ok := bearerToken(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeError(w, http.StatusUnauthorized, "invalid_token", "missing bearer token")
		return checkoutClaims{}, false
	}
	cl, err := c.verify(raw)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeError(w, http.StatusUnauthorized, "invalid_token", tokenRefusal(err))
		return checkoutClaims{}, false
	}
	return cl, true
}

// handleJWKS publishes the verification key so that any server can check a
// scoped token offline.
func (c *checkoutServer) handleJWKS(w http.ResponseWriter, r *http.Request) {
	key, err := c.key()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "no signing key")
		return
	}
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{key.publicJWK()}})
}

// tokenRefusal is what the page is told about a refused token: the reason
// alone (it never quotes the token).
func tokenRefusal(err error) string {
	var bad *scoped.TokenError
	if errors.As(err, &bad) {
		return bad.Reason
	}
	return "token refused"
}
