package sandbox

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckoutCORSPreflight(t *testing.T) {
	s, _ := newCheckoutSandbox(t, CheckoutConfig{AllowedOrigins: []string{checkoutTestOrigin, "*"}})
	cases := []struct {
		name, path, origin, method, headers string
		ok                                  bool
	}{
		{"allowed GET", "/v1/invoices/inv_1001", checkoutTestOrigin, "GET", "authorization", true},
		{"allowed POST with both headers", "/v1/invoices/inv_1001/payments", checkoutTestOrigin, "POST", "Authorization, Content-Type", true},
		{"allowed, no headers asked", "/v1/invoices/inv_1001", checkoutTestOrigin, "GET", "", true},
		{"other origin", "/v1/invoices/inv_1001", "http://127.0.0.1:9999", "GET", "authorization", false},
		{"wildcard in config is not honoured", "/v1/invoices/inv_1001", "http://evil.test", "GET", "authorization", false},
		{"null origin", "/v1/invoices/inv_1001", "null", "GET", "authorization", false},
		{"no origin", "/v1/invoices/inv_1001", "", "GET", "authorization", false},
		{"origin differing by port", "/v1/invoices/inv_1001", "http://127.0.0.1:8766", "GET", "authorization", false},
		{"extra header", "/v1/invoices/inv_1001", checkoutTestOrigin, "GET", "authorization, x-api-key", false},
		{"DELETE", "/v1/invoices/inv_1001", checkoutTestOrigin, "DELETE", "authorization", false},
		{"POST on the invoice", "/v1/invoices/inv_1001", checkoutTestOrigin, "POST", "authorization", false},
		{"GET on payments", "/v1/invoices/inv_1001/payments", checkoutTestOrigin, "GET", "authorization", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{"Access-Control-Request-Method": tc.method}
			if tc.origin != "" {
				h["Origin"] = tc.origin
			}
			if tc.headers != "" {
				h["Access-Control-Request-Headers"] = tc.headers
			}
			w := checkoutDo(s, http.MethodOptions, tc.path, "", "", h)
			assert.Contains(t, w.Header().Values("Vary"), "Origin")
			if !tc.ok {
				assert.Equal(t, http.StatusForbidden, w.Code)
				assert.Empty(t, w.Header().Get("Access-Control-Allow-Origin"))
				assert.Empty(t, w.Header().Get("Access-Control-Allow-Methods"))
				return
			}
			require.Equal(t, http.StatusNoContent, w.Code)
			assert.Equal(t, tc.origin, w.Header().Get("Access-Control-Allow-Origin"))
			assert.Equal(t, "GET, POST", w.Header().Get("Access-Control-Allow-Methods"))
			assert.Equal(t, "Authorization, Content-Type", w.Header().Get("Access-Control-Allow-Headers"))
			assert.Empty(t, w.Header().Get("Access-Control-Allow-Credentials"))
		})
	}
}

func TestCheckoutCORSActualRequests(t *testing.T) {
	s, _ := newCheckoutSandbox(t, CheckoutConfig{})
	tok := checkoutMint(t, s, "cus_demo", "inv_1001")

	// Allowed origin: the answer is readable, errors included.
	w := checkoutDo(s, http.MethodGet, "/v1/invoices/inv_1001", tok, "", map[string]string{"Origin": checkoutTestOrigin})
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, checkoutTestOrigin, w.Header().Get("Access-Control-Allow-Origin"))
	assert.Contains(t, w.Header().Values("Vary"), "Origin")
	w = checkoutDo(s, http.MethodGet, "/v1/invoices/inv_1001", "garbage", "", map[string]string{"Origin": checkoutTestOrigin})
	require.Equal(t, http.StatusUnauthorized, w.Code)
	assert.Equal(t, checkoutTestOrigin, w.Header().Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "WWW-Authenticate", w.Header().Get("Access-Control-Expose-Headers"))

	// Other origin: refused before any side effect.
	w = checkoutDo(s, http.MethodPost, "/v1/invoices/inv_1001/payments", tok, "", map[string]string{"Origin": "http://127.0.0.1:9999"})
	require.Equal(t, http.StatusForbidden, w.Code)
	assert.Empty(t, w.Header().Get("Access-Control-Allow-Origin"))
	assert.Equal(t, 0, s.Payments("inv_1001"))

	// No Origin (a server or curl): served, no CORS header, still Vary.
	w = checkoutDo(s, http.MethodPost, "/v1/invoices/inv_1001/payments", tok, "", nil)
	require.Equal(t, http.StatusCreated, w.Code)
	assert.Empty(t, w.Header().Get("Access-Control-Allow-Origin"))
	assert.Contains(t, w.Header().Values("Vary"), "Origin")
	assert.Equal(t, 1, s.Payments("inv_1001"))
}
