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
	"sync"
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

// mint gets a scoped token through the sandbox's real endpoints: a
// client_credentials access token, then POST /v1/checkout-auth/init.
func (e *scopedEnv) mint(t *testing.T) string {
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

	req, err = http.NewRequest(http.MethodPost, e.srv.URL+"/v1/checkout-auth/init",
		strings.NewReader(`{"customer_id":"cus_demo","invoice_id":"inv_1001"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tr.AccessToken)
	var ir struct {
		Token string `json:"token"`
	}
	scopedDo(t, req, &ir)
	require.NotEmpty(t, ir.Token)
	return ir.Token
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

func TestScopedUnknownKidRefetchesOncePerMinute(t *testing.T) {
	e := newScopedEnv(t)
	v := e.verifier(t)
	_, err := v.Verify(context.Background(), e.mint(t))
	require.NoError(t, err)
	require.Equal(t, int32(1), e.jwksHits.Load())

	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	stranger := scopedForge(t, jose.RS256, priv, "kid-unknown", e.validClaims())

	// The set was just loaded: a refetch could not know more yet.
	_, err = v.Verify(context.Background(), stranger)
	requireInvalidToken(t, err)
	assert.Equal(t, int32(1), e.jwksHits.Load())

	e.clock.Advance(time.Minute)
	stranger = scopedForge(t, jose.RS256, priv, "kid-unknown", e.validClaims())
	_, err = v.Verify(context.Background(), stranger)
	requireInvalidToken(t, err)
	assert.Contains(t, err.Error(), "key id")
	assert.Equal(t, int32(2), e.jwksHits.Load(), "one refetch for the unknown kid")

	_, err = v.Verify(context.Background(), stranger)
	requireInvalidToken(t, err)
	e.clock.Advance(59 * time.Second)
	_, err = v.Verify(context.Background(), stranger)
	requireInvalidToken(t, err)
	assert.Equal(t, int32(2), e.jwksHits.Load(), "no second refetch within the minute")
}

func TestScopedUnknownKidConcurrentSingleFlight(t *testing.T) {
	e := newScopedEnv(t)
	v := e.verifier(t)
	_, err := v.Verify(context.Background(), e.mint(t))
	require.NoError(t, err)
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	e.clock.Advance(time.Minute)
	stranger := scopedForge(t, jose.RS256, priv, "kid-unknown", e.validClaims())

	// The refetch is held until the 49 other callers have joined it, so
	// that single-flight (not the per-minute limit) is what is tested.
	const n = 50
	e.hold, e.entered = make(chan struct{}), make(chan struct{}, n)
	var joined sync.WaitGroup
	joined.Add(n - 1)
	scoped.SetJoinHook(v, joined.Done)
	allJoined := make(chan struct{})
	go func() { joined.Wait(); close(allJoined) }()
	errs := make([]error, n)
	var done sync.WaitGroup
	for i := range n {
		done.Go(func() { _, errs[i] = v.Verify(context.Background(), stranger) })
	}
	<-e.entered
	select {
	case <-allJoined:
	case <-time.After(30 * time.Second): // a safety net, not a timing assertion
		close(e.hold)
		done.Wait()
		t.Fatalf("callers did not join the running fetch; JWKS fetches: %d", e.jwksHits.Load())
	}
	close(e.hold)
	done.Wait()

	for _, err := range errs {
		requireInvalidToken(t, err)
	}
	assert.Equal(t, int32(2), e.jwksHits.Load(), "the initial load and one refetch")
}

func TestScopedJWKSDown(t *testing.T) {
	e := newScopedEnv(t)
	v := e.verifier(t)
	tok := e.mint(t)
	e.jwksDown.Store(true)

	_, err := v.Verify(context.Background(), tok)
	requireUnavailable(t, err)
	assert.NotContains(t, err.Error(), tok)
	_, err = v.Verify(context.Background(), tok)
	requireUnavailable(t, err)
	assert.Equal(t, int32(1), e.jwksHits.Load(), "failures back off: no fetch per request")

	e.jwksDown.Store(false)
	e.clock.Advance(5 * time.Second)
	_, err = v.Verify(context.Background(), tok)
	require.NoError(t, err, "retried after the backoff")
	assert.Equal(t, int32(2), e.jwksHits.Load())

	// A failed refetch keeps the cached keys: known kids still verify, an
	// unknown one is not called invalid (it may be a key we could not load).
	e.jwksDown.Store(true)
	e.clock.Advance(time.Minute)
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	_, err = v.Verify(context.Background(), scopedForge(t, jose.RS256, priv, "kid-new", e.validClaims()))
	requireUnavailable(t, err)
	_, err = v.Verify(context.Background(), scopedForge(t, jose.RS256, priv, "kid-new", e.validClaims()))
	requireUnavailable(t, err)
	assert.Equal(t, int32(3), e.jwksHits.Load())
	_, err = v.Verify(context.Background(), e.mint(t))
	require.NoError(t, err)
}

func TestScopedJWKSRedirectNotFollowed(t *testing.T) {
	e := newScopedEnv(t)
	redirect := httptest.NewServer(http.RedirectHandler(e.srv.URL+"/.well-known/jwks.json", http.StatusFound))
	defer redirect.Close()
	v := e.verifier(t, func(c *scoped.VerifierConfig) { c.JWKSURL = redirect.URL; c.HTTPClient = &http.Client{} })
	_, err := v.Verify(context.Background(), e.mint(t))
	requireUnavailable(t, err)
	assert.Equal(t, int32(0), e.jwksHits.Load())
}

func TestScopedJWKSBodies(t *testing.T) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	pub := func(k jose.JSONWebKey) string {
		b, err := json.Marshal(k)
		require.NoError(t, err)
		return string(b)
	}
	good := pub(jose.JSONWebKey{Key: &priv.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"})
	for name, tc := range map[string]struct {
		body string
		kids []string
	}{
		"one key":          {`{"keys":[` + good + `]}`, []string{"k1"}},
		"unknown kty kept": {`{"keys":[{"kty":"XYZ","kid":"k0"},` + good + `]}`, []string{"k1"}},
		"not json":         {`<html>`, nil},
		"empty set":        {`{"keys":[]}`, nil},
		"enc key":          {`{"keys":[` + pub(jose.JSONWebKey{Key: &priv.PublicKey, KeyID: "k1", Use: "enc"}) + `]}`, nil},
		"other alg":        {`{"keys":[` + pub(jose.JSONWebKey{Key: &priv.PublicKey, KeyID: "k1", Algorithm: "PS256"}) + `]}`, nil},
		"no kid":           {`{"keys":[` + pub(jose.JSONWebKey{Key: &priv.PublicKey}) + `]}`, nil},
		"small key":        {`{"keys":[` + pub(jose.JSONWebKey{Key: &small.PublicKey, KeyID: "k1"}) + `]}`, nil},
		"duplicate kid":    {`{"keys":[` + good + `,` + good + `]}`, nil},
	} {
		t.Run(name, func(t *testing.T) {
			keys, err := scoped.ParseJWKS([]byte(tc.body))
			if tc.kids == nil {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			var got []string
			for k := range keys {
				got = append(got, k)
			}
			assert.ElementsMatch(t, tc.kids, got)
		})
	}
}

func TestVerifierConfig(t *testing.T) {
	base := scoped.VerifierConfig{JWKSURL: "http://127.0.0.1:1/.well-known/jwks.json", Issuer: "i", Audience: "a"}
	for name, mutate := range map[string]func(*scoped.VerifierConfig){
		"no url":       func(c *scoped.VerifierConfig) { c.JWKSURL = "" },
		"relative url": func(c *scoped.VerifierConfig) { c.JWKSURL = "/.well-known/jwks.json" },
		"ftp url":      func(c *scoped.VerifierConfig) { c.JWKSURL = "ftp://127.0.0.1/jwks" },
		"userinfo":     func(c *scoped.VerifierConfig) { c.JWKSURL = "http://u:p@127.0.0.1/jwks" },
		"no issuer":    func(c *scoped.VerifierConfig) { c.Issuer = "" },
		"no audience":  func(c *scoped.VerifierConfig) { c.Audience = "" },
		"long leeway":  func(c *scoped.VerifierConfig) { c.Leeway = 61 * time.Second },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := base
			mutate(&cfg)
			_, err := scoped.NewVerifier(cfg)
			require.Error(t, err)
		})
	}
	cfg := base
	cfg.Leeway = 60 * time.Second
	v, err := scoped.NewVerifier(cfg)
	require.NoError(t, err)
	assert.Equal(t, 60*time.Second, scoped.LeewayOf(v))
	cfg.Leeway = 0
	v, err = scoped.NewVerifier(cfg)
	require.NoError(t, err)
	assert.Equal(t, 30*time.Second, scoped.LeewayOf(v))
	cfg.Leeway = -1
	v, err = scoped.NewVerifier(cfg)
	require.NoError(t, err)
	assert.Equal(t, time.Duration(0), scoped.LeewayOf(v))
}

func TestScopedVerifyRequest(t *testing.T) {
	e := newScopedEnv(t)
	v := e.verifier(t)
	tok := e.mint(t)
	req := func(auth ...string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/api/proxy", nil)
		for _, a := range auth {
			r.Header.Add("Authorization", a)
		}
		return r
	}
	assert.NoError(t, v.VerifyRequest(req()), "no header: a session-only call")
	assert.NoError(t, v.VerifyRequest(req("Bearer "+tok)))
	assert.NoError(t, v.VerifyRequest(req("bearer "+tok)), "the scheme is case-insensitive")
	assert.NoError(t, v.VerifyRequest(req("Basic dTpw")), "not a bearer token: no scoped token to check")
	requireInvalidToken(t, v.VerifyRequest(req("Bearer x")))
	requireInvalidToken(t, v.VerifyRequest(req("Bearer ")))
	requireInvalidToken(t, v.VerifyRequest(req("Bearer "+tok, "Bearer "+tok)))

	e.clock.Advance(scopedTTL + time.Minute)
	requireInvalidToken(t, v.VerifyRequest(req("Bearer "+tok)))
}

// TestVerifierInIntermediary wires VerifyRequest as the intermediary's
// VerifyCaller: an expired token gets 401 invalid_token (the shim renews),
// an unavailable JWKS gets 403 (no renewal loop).
func TestVerifierInIntermediary(t *testing.T) {
	e := newScopedEnv(t)
	v := e.verifier(t)
	h, err := intermediary.New(intermediary.Config{
		ProviderURL:  e.srv.URL,
		Token:        func(context.Context) (string, error) { return "unused", nil },
		Authenticate: func(*http.Request) bool { return true },
		VerifyCaller: v.VerifyRequest,
	})
	require.NoError(t, err)
	call := func(bearer string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/api/proxy", strings.NewReader("not a descriptor"))
		r.Header.Set(intermediary.CSRFHeader, "1")
		if bearer != "" {
			r.Header.Set("Authorization", "Bearer "+bearer)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	tok := e.mint(t)

	w := call(tok)
	assert.NotContains(t, []int{http.StatusUnauthorized, http.StatusForbidden}, w.Code, w.Body.String())
	w = call("")
	assert.NotContains(t, []int{http.StatusUnauthorized, http.StatusForbidden}, w.Code, w.Body.String())

	e.clock.Advance(scopedTTL + 31*time.Second)
	w = call(tok)
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	assert.Equal(t, `Bearer error="invalid_token"`, w.Header().Get("WWW-Authenticate"))
	assert.Equal(t, "invalid_token", scopedEnvelopeCode(t, w))

	cold := e.verifier(t)
	h, err = intermediary.New(intermediary.Config{
		ProviderURL:  e.srv.URL,
		Token:        func(context.Context) (string, error) { return "unused", nil },
		Authenticate: func(*http.Request) bool { return true },
		VerifyCaller: cold.VerifyRequest,
	})
	require.NoError(t, err)
	e.jwksDown.Store(true)
	w = call(e.mint(t))
	assert.Equal(t, http.StatusForbidden, w.Code)
	assert.Empty(t, w.Header().Get("WWW-Authenticate"))
	assert.NotEqual(t, "invalid_token", scopedEnvelopeCode(t, w))
}

// scopedEnvelopeCode reads the error code of the intermediary's answer (a
// base64 envelope, as the SDK expects).
func scopedEnvelopeCode(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(w.Body.String())
	require.NoError(t, err)
	var env struct {
		Body struct {
			Code string `json:"code"`
		} `json:"body"`
	}
	require.NoError(t, json.Unmarshal(raw, &env), string(raw))
	require.NotEmpty(t, env.Body.Code)
	return env.Body.Code
}
