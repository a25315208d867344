package sandbox

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkoutSign signs claims with any key and algorithm, under the given kid
// ("" for none), the way an attacker would.
func checkoutSign(t *testing.T, alg jose.SignatureAlgorithm, key any, kid string, claims any, embedJWK bool) string {
	t.Helper()
	opts := (&jose.SignerOptions{EmbedJWK: embedJWK}).WithType("JWT")
	if kid != "" && !embedJWK {
		opts = opts.WithHeader("kid", kid)
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	require.NoError(t, err)
	tok, err := jwt.Signed(sig).Claims(claims).Serialize()
	require.NoError(t, err)
	return tok
}

// checkoutUnsigned builds an alg "none" token by hand; go-jose will not.
func checkoutUnsigned(t *testing.T, kid string, claims any) string {
	t.Helper()
	h, err := json.Marshal(map[string]string{"alg": "none", "typ": "JWT", "kid": kid})
	require.NoError(t, err)
	p, err := json.Marshal(claims)
	require.NoError(t, err)
	enc := base64.RawURLEncoding.EncodeToString
	return enc(h) + "." + enc(p) + "."
}

// TestCheckoutJWTChecks is the server-side verification table
// (forged and misdirected tokens): every forged, stale or misdirected token gets a 401
// invalid_token, a token for another invoice a 403.
// jwtCase is a token presented to GET /v1/invoices/inv_1001 at a time,
// and the status it must get.
type jwtCase struct {
	name   string
	token  string
	at     time.Time
	status int
}

// jwtFixture signs checkout tokens for the sandbox's checkout API: good
// ones with its real key, edited by the caller.
type jwtFixture struct {
	s      *Sandbox
	clk    *testClock
	k      *checkoutKey
	exp    time.Time
	minted string
}

const (
	jwtTTL    = 90 * time.Second
	jwtLeeway = 30 * time.Second // the default
)

func newJWTFixture(t *testing.T) *jwtFixture {
	s, clk := newCheckoutSandbox(t, CheckoutConfig{TokenTTL: jwtTTL})
	k, err := s.checkout.key()
	require.NoError(t, err)
	return &jwtFixture{s: s, clk: clk, k: k, exp: checkoutT0.Add(jwtTTL), minted: checkoutMint(t, s, "cus_demo", "inv_1001")}
}

func (f *jwtFixture) claims(edit func(*checkoutClaims)) checkoutClaims {
	cl := checkoutClaims{
		Claims: jwt.Claims{
			Issuer: DefaultCheckoutIssuer, Audience: jwt.Audience{DefaultCheckoutAudience},
			IssuedAt: jwt.NewNumericDate(checkoutT0), Expiry: jwt.NewNumericDate(f.exp),
		},
		PartnerID: "sbx_partner_demo", ClientID: f.s.client.ID, CustomerID: "cus_demo", InvoiceID: "inv_1001",
	}
	if edit != nil {
		edit(&cl)
	}
	return cl
}

func (f *jwtFixture) good(t *testing.T, edit func(*checkoutClaims)) string {
	return checkoutSign(t, jose.RS256, f.k.priv, f.k.kid, f.claims(edit), false)
}

func (f *jwtFixture) run(t *testing.T, cases []jwtCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.clk.Set(tc.at)
			w := checkoutDo(f.s, http.MethodGet, "/v1/invoices/inv_1001", tc.token, "", nil)
			require.Equal(t, tc.status, w.Code, w.Body.String())
			switch tc.status {
			case 401:
				assert.Equal(t, `Bearer error="invalid_token"`, w.Header().Get("WWW-Authenticate"))
				assert.Equal(t, "invalid_token", checkoutErrCode(t, w))
			case 403:
				assert.Equal(t, "forbidden", checkoutErrCode(t, w))
			}
		})
	}
}

// Only RS256 with the sandbox's own key, named by its kid, is accepted.
func TestCheckoutJWTSignature(t *testing.T) {
	f := newJWTFixture(t)
	k, claims := f.k, f.claims(nil)
	pubDER, err := x509.MarshalPKIXPublicKey(&k.priv.PublicKey)
	require.NoError(t, err)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	pubJWK, err := json.Marshal(k.publicJWK())
	require.NoError(t, err)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	f.run(t, []jwtCase{
		{"minted by the API", f.minted, checkoutT0, 200},
		{"hand-signed with the real key", f.good(t, nil), checkoutT0, 200},
		{"alg none", checkoutUnsigned(t, k.kid, claims), checkoutT0, 401},
		{"alg none, no kid", checkoutUnsigned(t, "", claims), checkoutT0, 401},
		{"HS256 keyed with the RSA public key PEM", checkoutSign(t, jose.HS256, pubPEM, k.kid, claims, false), checkoutT0, 401},
		{"HS256 keyed with the RSA public key DER", checkoutSign(t, jose.HS256, pubDER, k.kid, claims, false), checkoutT0, 401},
		{"HS256 keyed with the public JWK JSON", checkoutSign(t, jose.HS256, pubJWK, k.kid, claims, false), checkoutT0, 401},
		{"RS512 with the real key", checkoutSign(t, jose.RS512, k.priv, k.kid, claims, false), checkoutT0, 401},
		{"PS256 with the real key", checkoutSign(t, jose.PS256, k.priv, k.kid, claims, false), checkoutT0, 401},
		{"other key under the real kid", checkoutSign(t, jose.RS256, other, k.kid, claims, false), checkoutT0, 401},
		{"other key embedded as jwk", checkoutSign(t, jose.RS256, other, "", claims, true), checkoutT0, 401},
		{"unknown kid", checkoutSign(t, jose.RS256, k.priv, "kid-nobody-knows", claims, false), checkoutT0, 401},
		{"no kid", checkoutSign(t, jose.RS256, k.priv, "", claims, false), checkoutT0, 401},
	})
}

// exp, nbf and iat hold within the leeway and not a second past it.
func TestCheckoutJWTTimes(t *testing.T) {
	f := newJWTFixture(t)
	exp, good := f.exp, f.good(t, nil)
	at := func(d time.Duration) *jwt.NumericDate { return jwt.NewNumericDate(checkoutT0.Add(d)) }
	f.run(t, []jwtCase{
		{"exp + leeway - 1s", good, exp.Add(jwtLeeway - time.Second), 200},
		{"exp + leeway", good, exp.Add(jwtLeeway), 200},
		{"exp + leeway + 1s", good, exp.Add(jwtLeeway + time.Second), 401},
		{"minted, exp + leeway + 1s", f.minted, exp.Add(jwtLeeway + time.Second), 401},
		{"long expired", good, exp.Add(time.Hour), 401},
		{"no exp", f.good(t, func(c *checkoutClaims) { c.Expiry = nil }), checkoutT0, 401},
		{"nbf within leeway", f.good(t, func(c *checkoutClaims) { c.NotBefore = at(jwtLeeway - time.Second) }), checkoutT0, 200},
		{"future nbf", f.good(t, func(c *checkoutClaims) { c.NotBefore = at(jwtLeeway + time.Second) }), checkoutT0, 401},
		{"future iat", f.good(t, func(c *checkoutClaims) { c.IssuedAt = at(time.Hour) }), checkoutT0, 401},
	})
}

// aud, iss and the checkout claims must be there and name this invoice;
// anything not a three-part JWS is refused.
func TestCheckoutJWTClaimsAndShape(t *testing.T) {
	f := newJWTFixture(t)
	minted := f.minted
	edit := func(e func(*checkoutClaims)) string { return f.good(t, e) }
	f.run(t, []jwtCase{
		{"wrong aud", edit(func(c *checkoutClaims) { c.Audience = jwt.Audience{"some-other-api"} }), checkoutT0, 401},
		{"no aud", edit(func(c *checkoutClaims) { c.Audience = nil }), checkoutT0, 401},
		{"wrong iss", edit(func(c *checkoutClaims) { c.Issuer = "evil-issuer" }), checkoutT0, 401},
		{"no iss", edit(func(c *checkoutClaims) { c.Issuer = "" }), checkoutT0, 401},
		{"no invoice_id", edit(func(c *checkoutClaims) { c.InvoiceID = "" }), checkoutT0, 401},
		{"no customer_id", edit(func(c *checkoutClaims) { c.CustomerID = "" }), checkoutT0, 401},
		{"garbage", "this is not a token", checkoutT0, 401},
		{"garbage in three parts", "abc.def.ghi", checkoutT0, 401},
		{"two parts", "eyJhbGciOiJSUzI1NiJ9.eyJ9", checkoutT0, 401},
		{"four parts", minted + ".x", checkoutT0, 401},
		{"five parts (JWE shape)", "a.b.c.d.e", checkoutT0, 401},
		{"truncated signature", minted[:len(minted)-4], checkoutT0, 401},
		{"very long", minted + strings.Repeat("A", 8<<10), checkoutT0, 401},
		{"another invoice of the same customer", edit(func(c *checkoutClaims) { c.InvoiceID = "inv_1002" }), checkoutT0, 403},
		{"another customer's invoice", checkoutMint(t, f.s, "cus_other", "inv_2001"), checkoutT0, 403},
		{"right invoice, wrong customer", edit(func(c *checkoutClaims) { c.CustomerID = "cus_other" }), checkoutT0, 403},
	})
}

func TestCheckoutNoBearerIs401(t *testing.T) {
	s, _ := newCheckoutSandbox(t, CheckoutConfig{})
	for _, auth := range []string{"", "Basic Zm9vOmJhcg==", "Bearer "} {
		r := map[string]string{}
		if auth != "" {
			r["Authorization"] = auth
		}
		w := checkoutDo(s, http.MethodGet, "/v1/invoices/inv_1001", "", "", r)
		require.Equal(t, http.StatusUnauthorized, w.Code, auth)
		assert.Equal(t, `Bearer error="invalid_token"`, w.Header().Get("WWW-Authenticate"))
	}
}

func TestCheckoutLeewayConfigurable(t *testing.T) {
	s, clk := newCheckoutSandbox(t, CheckoutConfig{TokenTTL: 10 * time.Second, Leeway: -1})
	tok := checkoutMint(t, s, "cus_demo", "inv_1001")
	exp := checkoutT0.Add(10 * time.Second)
	clk.Set(exp)
	assert.Equal(t, http.StatusOK, checkoutDo(s, http.MethodGet, "/v1/invoices/inv_1001", tok, "", nil).Code)
	clk.Set(exp.Add(time.Second))
	assert.Equal(t, http.StatusUnauthorized, checkoutDo(s, http.MethodGet, "/v1/invoices/inv_1001", tok, "", nil).Code, "negative leeway means none")

	s, clk = newCheckoutSandbox(t, CheckoutConfig{TokenTTL: 10 * time.Second, Leeway: 60 * time.Second})
	tok = checkoutMint(t, s, "cus_demo", "inv_1001")
	clk.Set(exp.Add(60 * time.Second))
	assert.Equal(t, http.StatusOK, checkoutDo(s, http.MethodGet, "/v1/invoices/inv_1001", tok, "", nil).Code)
	clk.Set(exp.Add(61 * time.Second))
	assert.Equal(t, http.StatusUnauthorized, checkoutDo(s, http.MethodGet, "/v1/invoices/inv_1001", tok, "", nil).Code)
}
