package scoped_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/intermediary"
	"github.com/sealbridge/sealbridge/demo/sandbox"
	"github.com/sealbridge/sealbridge/demo/scoped"
	"github.com/sealbridge/sealbridge/internal/testutil"
)

const scopedTTL = 5 * time.Minute

type scopedClock = testutil.Clock

// scopedEnv is a real sandbox on 127.0.0.1 whose JWKS endpoint the test can
// count, take down, or hold until released.
type scopedEnv struct {
	clock    *scopedClock
	sb       *sandbox.Sandbox
	srv      *httptest.Server
	jwksHits atomic.Int32
	jwksDown atomic.Bool
	// hold, when set, makes the JWKS endpoint signal entered and wait for
	// the channel to close before answering.
	hold    chan struct{}
	entered chan struct{}
	logs    testutil.Buffer
}

func newScopedEnv(t *testing.T) *scopedEnv {
	t.Helper()
	e := &scopedEnv{clock: testutil.NewClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))}
	sb, err := sandbox.New(sandbox.Config{Now: e.clock.Now, Checkout: sandbox.CheckoutConfig{TokenTTL: scopedTTL}})
	require.NoError(t, err)
	e.sb = sb
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/.well-known/jwks.json" {
			e.jwksHits.Add(1)
			if e.hold != nil {
				e.entered <- struct{}{}
				<-e.hold
			}
			if e.jwksDown.Load() {
				http.Error(w, "down", http.StatusServiceUnavailable)
				return
			}
		}
		sb.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *scopedEnv) config() scoped.VerifierConfig {
	return scoped.VerifierConfig{
		JWKSURL:  e.srv.URL + "/.well-known/jwks.json",
		Issuer:   "sealbridge-sandbox",
		Audience: "sealbridge-checkout",
		Now:      e.clock.Now,
		Logger:   slog.New(slog.NewTextHandler(&e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
}

func (e *scopedEnv) verifier(t *testing.T, mutate ...func(*scoped.VerifierConfig)) *scoped.Verifier {
	t.Helper()
	cfg := e.config()
	for _, m := range mutate {
		m(&cfg)
	}
	v, err := scoped.NewVerifier(cfg)
	require.NoError(t, err)
	return v
}

// mint gets a scoped token for cus_demo's inv_1001 (see mintFor).
func (e *scopedEnv) mint(t *testing.T) string {
	t.Helper()
	return e.mintFor(t, "cus_demo", "inv_1001")
}

// mintFor gets a scoped token through the sandbox's real endpoints: a
// client_credentials access token, then POST /v1/checkout-auth/init.
func (e *scopedEnv) mintFor(t *testing.T, customer, invoice string) string {
	t.Helper()
	body, err := json.Marshal(map[string]string{"customer_id": customer, "invoice_id": invoice})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/v1/checkout-auth/init", strings.NewReader(string(body)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.partnerToken(t))
	var ir struct {
		Token string `json:"token"`
	}
	scopedDo(t, req, &ir)
	require.NotEmpty(t, ir.Token)
	return ir.Token
}

// partnerToken is a client_credentials access token from the sandbox.
func (e *scopedEnv) partnerToken(t *testing.T) string {
	t.Helper()
	id, secret := e.sb.ClientCredentials()
	form := url.Values{"grant_type": {"client_credentials"}}
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/auth/token", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	scopedDo(t, req, &tr)
	require.NotEmpty(t, tr.AccessToken)
	return tr.AccessToken
}

func scopedDo(t *testing.T, req *http.Request, out any) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.NoError(t, json.NewDecoder(res.Body).Decode(out))
}

// kid reads the sandbox's published key id.
func (e *scopedEnv) kid(t *testing.T) string {
	t.Helper()
	res, err := http.Get(e.srv.URL + "/.well-known/jwks.json")
	require.NoError(t, err)
	defer res.Body.Close()
	e.jwksHits.Add(-1) // not the verifier's fetch
	var set jose.JSONWebKeySet
	require.NoError(t, json.NewDecoder(res.Body).Decode(&set))
	require.Len(t, set.Keys, 1)
	return set.Keys[0].KeyID
}

// validClaims are claims the verifier would accept if the signature were
// the provider's.
func (e *scopedEnv) validClaims() map[string]any {
	now := e.clock.Now()
	return map[string]any{
		"iss": "sealbridge-sandbox", "aud": []string{"sealbridge-checkout"},
		"iat": now.Unix(), "exp": now.Add(scopedTTL).Unix(),
		"partner_id": "sbx_partner_demo", "client_id": "c", "customer_id": "cus_demo", "invoice_id": "inv_1001",
	}
}

// forge signs claims with key under alg and kid.
func scopedForge(t *testing.T, alg jose.SignatureAlgorithm, key any, kid string, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	require.NoError(t, err)
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	require.NoError(t, err)
	return tok
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func requireInvalidToken(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, intermediary.ErrInvalidToken)
	assert.NotErrorIs(t, err, scoped.ErrJWKSUnavailable)
}

func requireUnavailable(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, scoped.ErrJWKSUnavailable)
	assert.NotErrorIs(t, err, intermediary.ErrInvalidToken)
}

func TestScopedVerifyValidToken(t *testing.T) {
	e := newScopedEnv(t)
	v := e.verifier(t)
	tok := e.mint(t)
	id, _ := e.sb.ClientCredentials()

	cl, err := v.Verify(context.Background(), tok)
	require.NoError(t, err)
	assert.Equal(t, scoped.VerifiedClaims{
		PartnerID: "sbx_partner_demo", ClientID: id, CustomerID: "cus_demo", InvoiceID: "inv_1001",
		Expiry: e.clock.Now().Add(scopedTTL),
	}, scoped.VerifiedClaims{cl.PartnerID, cl.ClientID, cl.CustomerID, cl.InvoiceID, cl.Expiry.UTC()})

	// The JWKS is fetched lazily, once, then cached.
	_, err = v.Verify(context.Background(), tok)
	require.NoError(t, err)
	assert.Equal(t, int32(1), e.jwksHits.Load())
	assert.NotContains(t, e.logs.String(), tok)
}

func TestScopedVerifyExpiryWithLeeway(t *testing.T) {
	e := newScopedEnv(t)
	v := e.verifier(t)
	tok := e.mint(t)

	e.clock.Advance(scopedTTL + 30*time.Second) // exactly at the leeway's end
	_, err := v.Verify(context.Background(), tok)
	require.NoError(t, err, "within the 30 s default leeway")

	e.clock.Advance(time.Second)
	_, err = v.Verify(context.Background(), tok)
	requireInvalidToken(t, err)
	assert.Contains(t, err.Error(), "expired")
}

func TestScopedVerifyNotYetValid(t *testing.T) {
	e := newScopedEnv(t)
	v := e.verifier(t)
	tok := e.mint(t)
	e.clock.Advance(-31 * time.Second) // iat is now beyond the leeway ahead
	_, err := v.Verify(context.Background(), tok)
	requireInvalidToken(t, err)
}

func TestScopedVerifyRejectsForgedAndMalformed(t *testing.T) {
	e := newScopedEnv(t)
	good := e.mint(t)
	kid := e.kid(t)
	parts := strings.Split(good, ".")
	require.Len(t, parts, 3)

	var set jose.JSONWebKeySet
	res, err := http.Get(e.srv.URL + "/.well-known/jwks.json")
	require.NoError(t, err)
	require.NoError(t, json.NewDecoder(res.Body).Decode(&set))
	res.Body.Close()
	e.jwksHits.Add(-1)
	der, err := x509.MarshalPKIXPublicKey(set.Keys[0].Key)
	require.NoError(t, err)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})

	claimsJSON, err := json.Marshal(e.validClaims())
	require.NoError(t, err)
	var orig map[string]any
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(payload, &orig))
	orig["invoice_id"] = "inv_1002"
	swapped, err := json.Marshal(orig)
	require.NoError(t, err)

	cases := map[string]string{
		"alg none":              b64(`{"alg":"none","typ":"JWT","kid":"`+kid+`"}`) + "." + b64(string(claimsJSON)) + ".",
		"HS256 with public key": scopedForge(t, jose.HS256, pubPEM, kid, e.validClaims()),
		"HS256 with DER key":    scopedForge(t, jose.HS256, der, kid, e.validClaims()),
		"payload swapped":       parts[0] + "." + b64(string(swapped)) + "." + parts[2],
		"signature stripped":    parts[0] + "." + parts[1] + ".",
		"garbage":               "not-a-token",
		"garbage three parts":   "a.b.c",
		"two parts":             parts[0] + "." + parts[1],
		"four parts":            good + ".x",
		"empty":                 "",
		"too long":              good + strings.Repeat("A", 9<<10),
		"no kid":                scopedForgeNoKid(t, e),
	}
	v := e.verifier(t)
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), tok)
			requireInvalidToken(t, err)
		})
	}
	_, err = v.Verify(context.Background(), good)
	require.NoError(t, err, "the untouched token still verifies")
}

// scopedForgeNoKid signs with a key of its own and no kid header.
func scopedForgeNoKid(t *testing.T, e *scopedEnv) string {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: priv}, nil)
	require.NoError(t, err)
	tok, err := jwt.Signed(signer).Claims(e.validClaims()).Serialize()
	require.NoError(t, err)
	return tok
}

func TestScopedVerifyWrongIssuerOrAudience(t *testing.T) {
	e := newScopedEnv(t)
	tok := e.mint(t)
	for name, mutate := range map[string]func(*scoped.VerifierConfig){
		"issuer":   func(c *scoped.VerifierConfig) { c.Issuer = "someone-else" },
		"audience": func(c *scoped.VerifierConfig) { c.Audience = "another-api" },
	} {
		t.Run(name, func(t *testing.T) {
			_, err := e.verifier(t, mutate).Verify(context.Background(), tok)
			requireInvalidToken(t, err)
			assert.Contains(t, err.Error(), name)
		})
	}
}

func TestScopedVerifyMissingCustomClaims(t *testing.T) {
	e := newScopedEnv(t)
	v := e.verifier(t)
	_, err := v.Verify(context.Background(), e.mint(t)) // loads the JWKS
	require.NoError(t, err)
	// A token that is validly signed but lacks invoice_id cannot be made
	// with the sandbox's key; check the rule on a key the test controls.
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	jwks := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &priv.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}}
	own := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(jwks)
	}))
	defer own.Close()
	v2 := e.verifier(t, func(c *scoped.VerifierConfig) { c.JWKSURL = own.URL })
	claims := e.validClaims()
	_, err = v2.Verify(context.Background(), scopedForge(t, jose.RS256, priv, "k1", claims))
	require.NoError(t, err)
	delete(claims, "invoice_id")
	_, err = v2.Verify(context.Background(), scopedForge(t, jose.RS256, priv, "k1", claims))
	requireInvalidToken(t, err)
	claims = e.validClaims()
	delete(claims, "exp")
	_, err = v2.Verify(context.Background(), scopedForge(t, jose.RS256, priv, "k1", claims))
	requireInvalidToken(t, err)
}
