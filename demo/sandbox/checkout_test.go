package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/internal/testutil"
)

type checkoutClock = testutil.Clock

// checkoutT0 is a whole second, so that NumericDate rounding plays no part
// in the boundary tests.
var checkoutT0 = time.Unix(1_800_000_000, 0)

const checkoutTestOrigin = "http://127.0.0.1:8765"

func newCheckoutSandbox(t *testing.T, cfg CheckoutConfig) (*Sandbox, *checkoutClock) {
	t.Helper()
	clk := testutil.NewClock(checkoutT0)
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = 90 * time.Second
	}
	if cfg.AllowedOrigins == nil {
		cfg.AllowedOrigins = []string{checkoutTestOrigin}
	}
	s, err := New(Config{Now: clk.Now, Checkout: cfg})
	require.NoError(t, err)
	return s, clk
}

// checkoutDo runs one request against the sandbox's handler.
func checkoutDo(s *Sandbox, method, path, bearer, body string, hdr map[string]string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, path, rd)
	if bearer != "" {
		r.Header.Set("Authorization", "Bearer "+bearer)
	}
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, r)
	return w
}

// checkoutAccessToken obtains a client_credentials access token.
func checkoutAccessToken(t *testing.T, s *Sandbox) string {
	t.Helper()
	id, secret := s.ClientCredentials()
	form := url.Values{"grant_type": {"client_credentials"}}
	r := httptest.NewRequest(http.MethodPost, "/auth/token", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.SetBasicAuth(id, secret)
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, r)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var tr tokenResponse
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &tr))
	require.NotEmpty(t, tr.AccessToken)
	return tr.AccessToken
}

// checkoutMint mints a scoped token through the API.
func checkoutMint(t *testing.T, s *Sandbox, customer, invoice string) string {
	t.Helper()
	at := checkoutAccessToken(t, s)
	w := checkoutDo(s, http.MethodPost, "/v1/checkout-auth/init", at,
		`{"customer_id":"`+customer+`","invoice_id":"`+invoice+`"}`, map[string]string{"Content-Type": "application/json"})
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var res checkoutInitResponse
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &res))
	require.NotEmpty(t, res.Token)
	return res.Token
}

func checkoutErrCode(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var e apiError
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e), w.Body.String())
	assert.NotEmpty(t, e.Message)
	return e.Code
}

func TestCheckoutMintVerifiesAgainstPublishedJWKS(t *testing.T) {
	s, _ := newCheckoutSandbox(t, CheckoutConfig{Issuer: "iss-test", TokenTTL: 42 * time.Second})
	tok := checkoutMint(t, s, "cus_demo", "inv_1001")
	assert.Equal(t, 1, s.MintCount())

	w := checkoutDo(s, http.MethodGet, "/.well-known/jwks.json", "", "", nil)
	require.Equal(t, http.StatusOK, w.Code)
	assert.NotContains(t, w.Body.String(), `"d"`, "JWKS must carry public members only")
	var set jose.JSONWebKeySet
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &set))
	require.Len(t, set.Keys, 1)
	k := set.Keys[0]
	assert.True(t, k.IsPublic())
	assert.Equal(t, "RS256", k.Algorithm)
	assert.Equal(t, "sig", k.Use)
	require.NotEmpty(t, k.KeyID)

	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256})
	require.NoError(t, err)
	require.Len(t, parsed.Headers, 1)
	assert.Equal(t, k.KeyID, parsed.Headers[0].KeyID)
	var cl checkoutClaims
	require.NoError(t, parsed.Claims(k.Key, &cl))
	assert.Equal(t, "iss-test", cl.Issuer)
	assert.Equal(t, jwt.Audience{"sealbridge-checkout"}, cl.Audience)
	assert.Equal(t, "sbx_partner_demo", cl.PartnerID)
	id, _ := s.ClientCredentials()
	assert.Equal(t, id, cl.ClientID)
	assert.Equal(t, "cus_demo", cl.CustomerID)
	assert.Equal(t, "inv_1001", cl.InvoiceID)
	assert.Equal(t, checkoutT0, cl.IssuedAt.Time())
	assert.Equal(t, checkoutT0.Add(42*time.Second), cl.Expiry.Time())
	assert.NotEmpty(t, cl.ID)
}

func TestCheckoutMintRefusals(t *testing.T) {
	s, _ := newCheckoutSandbox(t, CheckoutConfig{})
	at := checkoutAccessToken(t, s)
	hdr := map[string]string{"Content-Type": "application/json"}
	cases := []struct {
		name, bearer, body string
		status             int
		code               string
	}{
		{"no bearer", "", `{"customer_id":"cus_demo","invoice_id":"inv_1001"}`, 401, "invalid_token"},
		{"unknown bearer", "sbx_at_nope", `{"customer_id":"cus_demo","invoice_id":"inv_1001"}`, 401, "invalid_token"},
		{"someone else's invoice", at, `{"customer_id":"cus_demo","invoice_id":"inv_2001"}`, 403, "forbidden"},
		{"unknown invoice", at, `{"customer_id":"cus_demo","invoice_id":"inv_9999"}`, 404, "not_found"},
		{"unknown customer", at, `{"customer_id":"cus_nobody","invoice_id":"inv_1001"}`, 404, "not_found"},
		{"missing invoice", at, `{"customer_id":"cus_demo"}`, 400, "invalid_request"},
		{"unknown field", at, `{"customer_id":"cus_demo","invoice_id":"inv_1001","admin":true}`, 400, "bad_json"},
		{"not json", at, `customer_id=cus_demo`, 400, "bad_json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := checkoutDo(s, http.MethodPost, "/v1/checkout-auth/init", tc.bearer, tc.body, hdr)
			require.Equal(t, tc.status, w.Code, w.Body.String())
			assert.Equal(t, tc.code, checkoutErrCode(t, w))
			assert.NotContains(t, w.Body.String(), "eyJ", "no token on a refusal")
		})
	}
	assert.Equal(t, 0, s.MintCount())
}

func TestCheckoutUserTokenCannotMint(t *testing.T) {
	s, _ := newCheckoutSandbox(t, CheckoutConfig{})
	// A token granted for an end user (password or authorization code)
	// must not mint partner-level checkout tokens.
	tok := s.tokens.issue(grant{ClientID: s.client.ID, Subject: "user_1", Expires: checkoutT0.Add(time.Hour)})
	w := checkoutDo(s, http.MethodPost, "/v1/checkout-auth/init", tok, `{"customer_id":"cus_demo","invoice_id":"inv_1001"}`, nil)
	require.Equal(t, http.StatusForbidden, w.Code)
	assert.Equal(t, 0, s.MintCount())
}

func TestCheckoutLeewayOverSixtySecondsRefused(t *testing.T) {
	_, err := New(Config{Checkout: CheckoutConfig{Leeway: 61 * time.Second}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Leeway")
}

func TestCheckoutInvoiceAndPayments(t *testing.T) {
	s, _ := newCheckoutSandbox(t, CheckoutConfig{})
	tok := checkoutMint(t, s, "cus_demo", "inv_1001")

	w := checkoutDo(s, http.MethodGet, "/v1/invoices/inv_1001", tok, "", nil)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var inv Invoice
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &inv))
	want, ok := s.Invoice("inv_1001")
	require.True(t, ok)
	assert.Equal(t, want, inv)
	assert.Equal(t, "EUR", inv.Currency)

	for _, body := range []string{`{"amount":-1}`, `{"amount":0}`, `{"amount":99999999}`, `{"amount":"12"}`, `{"amount":1,"to":"x"}`, `[`} {
		w := checkoutDo(s, http.MethodPost, "/v1/invoices/inv_1001/payments", tok, body, nil)
		assert.Equal(t, http.StatusBadRequest, w.Code, body)
	}
	assert.Zero(t, s.Payments("inv_1001"), "refused payments are not recorded")
	assertPaymentsSettleInvoice(t, s, tok, want.Amount)

	_, ok = s.Invoice("inv_nope")
	assert.False(t, ok)
}

// assertPaymentsSettleInvoice pays inv_1001 (amount due: total) in two
// parts: the invoice is paid when nothing is due, and refuses any further
// payment with 409.
func assertPaymentsSettleInvoice(t *testing.T, s *Sandbox, tok string, total int64) {
	t.Helper()
	pay := func(body string) (int, checkoutPayment) {
		w := checkoutDo(s, http.MethodPost, "/v1/invoices/inv_1001/payments", tok, body, map[string]string{"Content-Type": "application/json"})
		var p checkoutPayment
		if w.Code == http.StatusCreated {
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &p))
		} else {
			assert.Equal(t, http.StatusConflict, w.Code, w.Body.String())
			assert.Equal(t, "invoice_paid", checkoutErrCode(t, w))
		}
		return w.Code, p
	}
	code, first := pay(`{"amount":1234}`)
	require.Equal(t, http.StatusCreated, code)
	assert.EqualValues(t, 1234, first.Amount)
	assert.Equal(t, "succeeded", first.Status)
	inv, _ := s.Invoice("inv_1001")
	assert.Equal(t, "open", inv.Status, "a part payment leaves the invoice open")
	assert.Equal(t, total-1234, inv.AmountDue())

	w := checkoutDo(s, http.MethodPost, "/v1/invoices/inv_1001/payments", tok, fmt.Sprintf(`{"amount":%d}`, total), nil)
	assert.Equal(t, http.StatusBadRequest, w.Code, "more than is due")

	code, rest := pay("")
	require.Equal(t, http.StatusCreated, code, "an empty body pays what is due")
	assert.Equal(t, total-1234, rest.Amount)
	assert.NotEqual(t, first.ID, rest.ID, "payment ids are unique")
	inv, _ = s.Invoice("inv_1001")
	assert.Equal(t, "paid", inv.Status)
	w = checkoutDo(s, http.MethodGet, "/v1/invoices/inv_1001", tok, "", nil)
	assert.Contains(t, w.Body.String(), `"status":"paid"`, "the invoice says it is paid")

	for _, body := range []string{"", "{}", `{"amount":1}`} {
		code, _ := pay(body)
		assert.Equal(t, http.StatusConflict, code, "a paid invoice is not paid again (%s)", body)
	}
	assert.Equal(t, 2, s.Payments("inv_1001"))
}

// Many payments racing for one open invoice: exactly one pays it, the
// others get 409, so no customer is charged twice.
func TestCheckoutConcurrentPaymentsPayOnce(t *testing.T) {
	s, _ := newCheckoutSandbox(t, CheckoutConfig{})
	tok := checkoutMint(t, s, "cus_demo", "inv_1001")
	codes := make(chan int, 20)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			codes <- checkoutDo(s, http.MethodPost, "/v1/invoices/inv_1001/payments", tok, "{}", nil).Code
		})
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	assert.Equal(t, map[int]int{http.StatusCreated: 1, http.StatusConflict: 19}, count)
	assert.Equal(t, 1, s.Payments("inv_1001"))
}

func TestCheckoutTokenForAnotherInvoiceIsForbidden(t *testing.T) {
	s, _ := newCheckoutSandbox(t, CheckoutConfig{})
	tok := checkoutMint(t, s, "cus_demo", "inv_1001")
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/v1/invoices/inv_1002"},
		{http.MethodGet, "/v1/invoices/inv_2001"},
		{http.MethodPost, "/v1/invoices/inv_2001/payments"},
	} {
		w := checkoutDo(s, tc.method, tc.path, tok, "", nil)
		require.Equal(t, http.StatusForbidden, w.Code, tc.path)
		assert.Equal(t, "forbidden", checkoutErrCode(t, w))
	}
	assert.Equal(t, 0, s.Payments("inv_2001"))
}
