package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// floodCount is how many entries the flood tries to create in each store:
// 12 to 50 times each store's limit below, and few enough that the flood
// stays a few seconds under -race (most of a token's cost is its RS256
// signature).
const floodCount = 2500

// boundedSandbox is a sandbox with small limits, driven in-process
// (Handler().ServeHTTP): tens of thousands of requests stay fast under
// -race.
type boundedSandbox struct {
	s      *Sandbox
	clock  *testClock
	cookie string // one browser's consent cookie
}

func newBoundedSandbox(t *testing.T, limits Limits) *boundedSandbox {
	clock := newTestClock()
	cfg := Config{Now: clock.Now, Limits: limits}
	cfg.OAuth.RedirectURIs = []string{testRedirectURI}
	s, err := New(cfg)
	require.NoError(t, err)
	return &boundedSandbox{s: s, clock: clock, cookie: strings.Repeat("c", 43)}
}

func (b *boundedSandbox) do(method, target, contentType string, body io.Reader, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	req.AddCookie(&http.Cookie{Name: consentCookie, Value: b.cookie})
	rec := httptest.NewRecorder()
	b.s.Handler().ServeHTTP(rec, req)
	return rec
}

func (b *boundedSandbox) token(t *testing.T, form url.Values) tokenResponse {
	id, secret := b.s.ClientCredentials()
	form.Set("client_id", id)
	form.Set("client_secret", secret)
	rec := b.do(http.MethodPost, "/auth/token", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var tr tokenResponse
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &tr))
	return tr
}

func (b *boundedSandbox) consentPage(t *testing.T) string {
	rec := b.do(http.MethodGet, "/auth?"+authorizeParams(strings.Repeat("v", 43), "st").Encode(), "", nil)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	m := nonceRE.FindStringSubmatch(rec.Body.String())
	require.Len(t, m, 2)
	return m[1]
}

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestSandboxStoresStayBounded floods every store of the sandbox with
// floodCount creations: each keeps at most its limit, and the live heap
// grows by far less than what the flood sent (8 KiB connection bodies
// alone are 20 MiB, all of which an unbounded sandbox would keep).
func TestSandboxStoresStayBounded(t *testing.T) {
	limits := Limits{Connections: 50, AccessTokens: 200, RefreshTokens: 100, Codes: 100, PendingSignIns: 100, PaymentsPerInvoice: 20}
	b := newBoundedSandbox(t, limits)
	alice, _ := b.s.DemoUser("alice")
	client := b.token(t, url.Values{"grant_type": {"client_credentials"}}).AccessToken
	before := heapAlloc()

	filler := strings.Repeat("x", 8<<10)
	for i := range floodCount {
		body := fmt.Sprintf(`{"id_connector":1,"note":"%d%s"}`, i, filler)
		rec := b.do(http.MethodPost, ConnectionsPath, "application/json", strings.NewReader(body), "Authorization", "Bearer "+client)
		require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	}
	for range floodCount {
		b.token(t, url.Values{"grant_type": {"client_credentials"}})
	}
	for range floodCount {
		b.token(t, url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {alice.Password}})
	}
	for range floodCount {
		nonce := b.consentPage(t)
		form := url.Values{"nonce": {nonce}, "action": {"approve"}, "username": {"alice"}, "password": {alice.Password}}
		rec := b.do(http.MethodPost, "/auth/consent", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	}
	// The flood has pushed the first client token out: the oldest go first.
	client = b.token(t, url.Values{"grant_type": {"client_credentials"}}).AccessToken
	scoped := b.scopedToken(t, client)
	rec := b.do(http.MethodPost, "/v1/invoices/inv_1001/payments", "application/json", strings.NewReader(`{"amount":1}`), "Authorization", "Bearer "+scoped)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	// The rest straight into the store the route above uses: verifying
	// 10,000 RS256 tokens would be most of the test's time under -race.
	for range floodCount - 1 {
		_, _, err := b.s.checkout.data.pay("inv_1001", 1, b.clock.Now())
		require.NoError(t, err)
	}
	after := heapAlloc()

	got := b.s.StoreSizes()
	assert.LessOrEqual(t, got.Connections, limits.Connections)
	assert.LessOrEqual(t, got.AccessTokens, limits.AccessTokens)
	assert.LessOrEqual(t, got.TokenLinks, limits.AccessTokens)
	assert.LessOrEqual(t, got.RefreshTokens, limits.RefreshTokens)
	assert.LessOrEqual(t, got.Codes, limits.Codes)
	// Each sign-in left a consent page behind before it was used: the
	// consent floods below check that store on its own.
	assert.LessOrEqual(t, got.PendingSignIns, limits.PendingSignIns)
	assert.Equal(t, limits.PaymentsPerInvoice, got.Payments["inv_1001"])
	growth := int64(after) - int64(before)
	t.Logf("live heap: %d KiB before the flood, %d KiB after (%+d KiB); stores: %+v", before>>10, after>>10, growth>>10, got)
	assert.Less(t, growth, int64(8<<20), "the live heap grew by %d KiB during the flood", growth>>10)
}

// TestSandboxPendingSignInsStayBounded opens floodCount consent pages that
// nobody answers: the oldest are dropped past the limit, and all of them
// once they expire.
func TestSandboxPendingSignInsStayBounded(t *testing.T) {
	b := newBoundedSandbox(t, Limits{PendingSignIns: 100})
	first := b.consentPage(t)
	for range floodCount {
		b.consentPage(t)
	}
	assert.Equal(t, 100, b.s.StoreSizes().PendingSignIns)
	rec := b.do(http.MethodPost, "/auth/consent", "application/x-www-form-urlencoded", strings.NewReader(url.Values{"nonce": {first}, "action": {"approve"}}.Encode()))
	assert.Contains(t, rec.Body.String(), "expired or was already used", "the oldest page was dropped")

	b.clock.Advance(consentTTL + time.Second)
	b.consentPage(t)
	assert.Equal(t, 1, b.s.StoreSizes().PendingSignIns, "expired pages are forgotten")
}

// TestSandboxStoresExpire: entries are forgotten once their lifetime is
// over, not only past the limit.
func TestSandboxStoresExpire(t *testing.T) {
	b := newBoundedSandbox(t, Limits{ConnectionTTL: time.Minute})
	alice, _ := b.s.DemoUser("alice")
	client := b.token(t, url.Values{"grant_type": {"client_credentials"}}).AccessToken
	for range 10 {
		rec := b.do(http.MethodPost, ConnectionsPath, "application/json", strings.NewReader(`{"id_connector":1}`), "Authorization", "Bearer "+client)
		require.Equal(t, http.StatusCreated, rec.Code)
		b.token(t, url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {alice.Password}})
	}
	b.clock.Advance(25 * time.Hour) // past TokenTTL, RefreshTTL and ConnectionTTL
	client = b.token(t, url.Values{"grant_type": {"client_credentials"}}).AccessToken
	rec := b.do(http.MethodPost, ConnectionsPath, "application/json", strings.NewReader(`{"id_connector":1}`), "Authorization", "Bearer "+client)
	require.Equal(t, http.StatusCreated, rec.Code)
	b.token(t, url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {alice.Password}})

	got := b.s.StoreSizes()
	assert.Equal(t, 1, got.Connections)
	assert.Equal(t, 2, got.AccessTokens, "the client's token and alice's")
	assert.Equal(t, 1, got.RefreshTokens)
	assert.Equal(t, 1, got.TokenLinks)
}

func (b *boundedSandbox) scopedToken(t *testing.T, client string) string {
	rec := b.do(http.MethodPost, "/v1/checkout-auth/init", "application/json",
		strings.NewReader(`{"customer_id":"cus_demo","invoice_id":"inv_1001"}`), "Authorization", "Bearer "+client)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var out checkoutInitResponse
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
	return out.Token
}

// TestSandboxOversizedBodies413: every endpoint of the sandbox that reads
// a body answers a body over its limit with 413 and a JSON error.
func TestSandboxOversizedBodies413(t *testing.T) {
	b := newBoundedSandbox(t, Limits{})
	client := b.token(t, url.Values{"grant_type": {"client_credentials"}}).AccessToken
	scoped := b.scopedToken(t, client)
	form := "application/x-www-form-urlencoded"
	for _, tc := range []struct {
		name, path, contentType, bearer string
		max                             int
	}{
		{"token endpoint", "/auth/token", form, "", maxTokenBody},
		{"revocation endpoint", "/auth/revoke", form, "", maxTokenBody},
		{"consent form", "/auth/consent", form, "", maxConsentBody},
		{"connections", ConnectionsPath, "application/json", client, maxConnectionBody},
		{"dispatch", DispatchPath, "application/json", client, maxDispatchBody},
		{"checkout init", "/v1/checkout-auth/init", "application/json", client, 4 << 10},
		{"payments", "/v1/invoices/inv_1001/payments", "application/json", scoped, 4 << 10},
		{"two-factor validate", "/twofactor/validate", "application/json", client, 4 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"x":"` + strings.Repeat("a", tc.max) + `"}`
			if tc.contentType == form {
				body = "grant_type=" + strings.Repeat("a", tc.max)
			}
			var header []string
			if tc.bearer != "" {
				header = []string{"Authorization", "Bearer " + tc.bearer}
			}
			rec := b.do(http.MethodPost, tc.path, tc.contentType, strings.NewReader(body), header...)
			assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, rec.Body.String())
			assert.Equal(t, "application/json", strings.Split(rec.Header().Get("Content-Type"), ";")[0])
			var e map[string]string
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e), rec.Body.String())
			assert.NotEmpty(t, e["code"]+e["error"], "the JSON error names its code")
		})
	}
}
