package checkout

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/apierr"
	"github.com/sealbridge/sealbridge/demo/sandbox"
	"github.com/sealbridge/sealbridge/demo/session"
	"github.com/sealbridge/sealbridge/internal/testutil"
)

// checkoutProvider serves a real sandbox on 127.0.0.1 behind a wrapper that
// counts token-endpoint hits and remembers every access token issued, so
// that tests can look for it where it must not be.
type checkoutProvider struct {
	sb        *sandbox.Sandbox
	srv       *httptest.Server
	tokenHits atomic.Int32
	tokenDown atomic.Bool // token endpoint answers 500
	mu        sync.Mutex
	issued    []string
}

func newCheckoutProvider(t *testing.T, cfg sandbox.Config) *checkoutProvider {
	t.Helper()
	sb, err := sandbox.New(cfg)
	require.NoError(t, err)
	p := &checkoutProvider{sb: sb}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/auth/token" {
			sb.Handler().ServeHTTP(w, r)
			return
		}
		p.tokenHits.Add(1)
		if p.tokenDown.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		rec := httptest.NewRecorder()
		sb.Handler().ServeHTTP(rec, r)
		var tr struct {
			AccessToken string `json:"access_token"`
		}
		if json.Unmarshal(rec.Body.Bytes(), &tr) == nil && tr.AccessToken != "" {
			p.mu.Lock()
			p.issued = append(p.issued, tr.AccessToken)
			p.mu.Unlock()
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *checkoutProvider) accessTokens() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.issued...)
}

type checkoutLogs = testutil.Buffer

func newCheckoutTestMinter(t *testing.T, p *checkoutProvider, logs *checkoutLogs) *Minter {
	t.Helper()
	id, secret := p.sb.ClientCredentials()
	m, err := NewMinter(MinterConfig{
		ProviderURL: p.srv.URL, ClientID: id, ClientSecret: secret, Logger: checkoutLogger(logs),
	})
	require.NoError(t, err)
	return m
}

// checkoutPost calls the minter as the lead mounts it: behind Require, so
// with the session in the context. user "" means no session.
func checkoutPost(m http.Handler, user, contentType, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/api/checkout-token", strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if user != "" {
		r = r.WithContext(session.NewContext(r.Context(), &session.Session{ID: "sid", User: user}))
	}
	w := httptest.NewRecorder()
	m.ServeHTTP(w, r)
	return w
}

func checkoutPostInvoice(m http.Handler, user, invoice string) *httptest.ResponseRecorder {
	return checkoutPost(m, user, "application/json", `{"invoice_id":"`+invoice+`"}`)
}

func checkoutCode(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var e apierr.Error
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e), w.Body.String())
	assert.NotEmpty(t, e.Message)
	return string(e.Code)
}

// checkoutVerify checks a scoped token against the provider's JWKS, the way
// any server it is presented to would.
func checkoutVerify(t *testing.T, p *checkoutProvider, tok string) map[string]any {
	t.Helper()
	res, err := p.srv.Client().Get(p.srv.URL + "/.well-known/jwks.json")
	require.NoError(t, err)
	defer res.Body.Close()
	var set jose.JSONWebKeySet
	require.NoError(t, json.NewDecoder(res.Body).Decode(&set))
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256})
	require.NoError(t, err)
	keys := set.Key(parsed.Headers[0].KeyID)
	require.Len(t, keys, 1)
	var std jwt.Claims
	var all map[string]any
	require.NoError(t, parsed.Claims(keys[0].Key, &std, &all))
	require.NoError(t, std.ValidateWithLeeway(jwt.Expected{Issuer: "sealbridge-sandbox", AnyAudience: jwt.Audience{"sealbridge-checkout"}}, 0))
	return all
}

// checkoutAssertNoSecrets is the canary: neither the client secret nor any
// access token the provider issued shows in a response or a log line.
func checkoutAssertNoSecrets(t *testing.T, p *checkoutProvider, logs string, responses ...*httptest.ResponseRecorder) {
	t.Helper()
	_, secret := p.sb.ClientCredentials()
	checkoutAssertAbsent(t, append([]string{secret}, p.accessTokens()...), logs, responses...)
}

func checkoutAssertAbsent(t *testing.T, canaries []string, logs string, responses ...*httptest.ResponseRecorder) {
	t.Helper()
	for _, c := range canaries {
		require.NotEmpty(t, c)
		assert.NotContains(t, logs, c)
		for _, w := range responses {
			assert.NotContains(t, w.Body.String(), c)
			for name, vs := range w.Header() {
				for _, v := range vs {
					assert.NotContains(t, v, c, "header %s", name)
				}
			}
		}
	}
}

func TestMinterConcurrentMintsFetchOneAccessToken(t *testing.T) {
	p := newCheckoutProvider(t, sandbox.Config{})
	logs := &checkoutLogs{}
	m := newCheckoutTestMinter(t, p, logs)

	const n = 100
	results := make([]*httptest.ResponseRecorder, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			inv := []string{"inv_1001", "inv_1002"}[i%2]
			results[i] = checkoutPostInvoice(m, "demo-user", inv)
		}()
	}
	close(start)
	wg.Wait()

	assert.EqualValues(t, 1, p.tokenHits.Load(), "the token endpoint is hit once for all mints")
	assert.Equal(t, n, p.sb.MintCount())
	require.Equal(t, 1, len(p.accessTokens()), "one access token issued")
	clientID, _ := p.sb.ClientCredentials()
	for i, w := range results {
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
		var body map[string]any
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
		require.Len(t, body, 1, "the page gets the token and nothing else")
		tok, _ := body["token"].(string)
		claims := checkoutVerify(t, p, tok)
		assert.Equal(t, "cus_demo", claims["customer_id"])
		assert.Equal(t, []string{"inv_1001", "inv_1002"}[i%2], claims["invoice_id"])
		assert.Equal(t, clientID, claims["client_id"])
		assert.Equal(t, "sbx_partner_demo", claims["partner_id"])
		assert.NotNil(t, claims["exp"])
	}
	out := logs.String()
	assert.Equal(t, n, strings.Count(out, "outcome=minted"), "one log line per mint")
	assert.Contains(t, out, "invoice_id=inv_1001")
	checkoutAssertNoSecrets(t, p, out, results...)
}

func TestMinterRefusesOthersInvoicesWithoutCallingProvider(t *testing.T) {
	p := newCheckoutProvider(t, sandbox.Config{})
	logs := &checkoutLogs{}
	m := newCheckoutTestMinter(t, p, logs)
	for _, tc := range []struct{ user, invoice string }{
		{"demo-user", "inv_2001"}, // exists at the provider, belongs to cus_other
		{"demo-user", "inv_9999"},
		{"mallory", "inv_1001"},
	} {
		w := checkoutPostInvoice(m, tc.user, tc.invoice)
		require.Equal(t, http.StatusForbidden, w.Code, w.Body.String())
		assert.Equal(t, "forbidden", checkoutCode(t, w))
	}
	assert.Zero(t, p.tokenHits.Load(), "no provider call at all")
	assert.Zero(t, p.sb.MintCount())
	assert.Contains(t, logs.String(), "outcome=forbidden")
}

func TestMinterCustomOwnership(t *testing.T) {
	p := newCheckoutProvider(t, sandbox.Config{})
	id, secret := p.sb.ClientCredentials()
	m, err := NewMinter(MinterConfig{
		ProviderURL: p.srv.URL + "/", ClientID: id, ClientSecret: secret,
		Owns: func(user, inv string) (string, bool) { return "cus_other", user == "bob" && inv == "inv_2001" },
	})
	require.NoError(t, err)
	w := checkoutPostInvoice(m, "bob", "inv_2001")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var body checkoutTokenResponse
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	assert.Equal(t, "cus_other", checkoutVerify(t, p, body.Token)["customer_id"])
	assert.Equal(t, http.StatusForbidden, checkoutPostInvoice(m, "demo-user", "inv_1001").Code)
}

func TestMinterBehindRequire(t *testing.T) {
	p := newCheckoutProvider(t, sandbox.Config{})
	m := newCheckoutTestMinter(t, p, &checkoutLogs{})
	sessions := &session.Sessions{Store: session.NewMemoryStore(0)}
	denied := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusUnauthorized) })
	h := sessions.Require(denied, m)

	rec := httptest.NewRecorder()
	_, _, err := sessions.SignIn(rec, httptest.NewRequest(http.MethodPost, "/signin", nil), "demo-user")
	require.NoError(t, err)
	cookies := rec.Result().Cookies()
	require.Len(t, cookies, 1)

	r := httptest.NewRequest(http.MethodPost, "/api/checkout-token", strings.NewReader(`{"invoice_id":"inv_1001"}`))
	r.Header.Set("Content-Type", "application/json")
	r.AddCookie(cookies[0])
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, 1, p.sb.MintCount())
}

func TestMinterRenewsAccessTokenTheProviderRejects(t *testing.T) {
	// The provider's clock runs ahead of ours: it expires the access token
	// while x/oauth2 still thinks it is good. The minter starts a fresh
	// token source once and carries on.
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	p := newCheckoutProvider(t, sandbox.Config{Now: clock, TokenTTL: time.Hour})
	m := newCheckoutTestMinter(t, p, &checkoutLogs{})

	require.Equal(t, http.StatusOK, checkoutPostInvoice(m, "demo-user", "inv_1001").Code)
	mu.Lock()
	now = now.Add(2 * time.Hour)
	mu.Unlock()
	w := checkoutPostInvoice(m, "demo-user", "inv_1001")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.EqualValues(t, 2, p.tokenHits.Load())
	assert.Equal(t, 2, p.sb.MintCount())
	require.Equal(t, http.StatusOK, checkoutPostInvoice(m, "demo-user", "inv_1002").Code)
	assert.EqualValues(t, 2, p.tokenHits.Load(), "the fresh token is cached in turn")
}

func TestNewMinterConfig(t *testing.T) {
	_, err := NewMinter(MinterConfig{ClientID: "a", ClientSecret: "b"})
	assert.ErrorContains(t, err, "ProviderURL")
	_, err = NewMinter(MinterConfig{ProviderURL: "http://127.0.0.1:1"})
	assert.ErrorContains(t, err, "ClientSecret")

	// The client given is copied and made to follow no redirect.
	given := &http.Client{}
	m, err := NewMinter(MinterConfig{ProviderURL: "http://127.0.0.1:1", ClientID: "a", ClientSecret: "b", HTTPClient: given})
	require.NoError(t, err)
	assert.Nil(t, given.CheckRedirect)
	assert.NotNil(t, m.client.CheckRedirect)
	assert.Equal(t, 10*time.Second, m.client.Timeout)
	assert.Equal(t, "http://127.0.0.1:1/v1/checkout-auth/init", m.initURL)
}

func TestDemoOwnership(t *testing.T) {
	c, ok := DemoOwnership("demo-user", "inv_1001")
	assert.True(t, ok)
	assert.Equal(t, "cus_demo", c)
	_, ok = DemoOwnership("demo-user", "inv_1002")
	assert.True(t, ok)
	_, ok = DemoOwnership("demo-user", "inv_2001")
	assert.False(t, ok)
	_, ok = DemoOwnership("other", "inv_1001")
	assert.False(t, ok)
}

// checkoutLogger logs into l at debug level.
func checkoutLogger(l *checkoutLogs) *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
