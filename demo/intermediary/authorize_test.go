package intermediary

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/apierr"
)

// AuthorizeCall sees the rule that matched and the values its placeholders
// took in the canonical path (the path the provider is sent), and any
// error it returns keeps the call from the provider.
func TestAuthorizeCallSeesRuleAndParams(t *testing.T) {
	var got []Call
	var refuse error
	e := newEnv(t, nil, func(c *Config) {
		c.Allow = []Rule{{"GET", "/v1/invoices/{invoice}"}, {"GET", "/v1/customers/{customer}/invoices/{invoice}"}, {"GET", "/v2/organization"}}
		c.AuthorizeCall = func(_ *http.Request, call Call) error {
			got = append(got, call)
			return refuse
		}
	})
	for path, want := range map[string]Call{
		"/v1/invoices/inv_1001":   {"GET", "/v1/invoices/{invoice}", map[string]string{"invoice": "inv_1001"}},
		"/v1/invoices/inv%5F1001": {"GET", "/v1/invoices/{invoice}", map[string]string{"invoice": "inv_1001"}},
		"/v1/customers/cus_demo/invoices/inv_1002?x=inv_1001": {"GET", "/v1/customers/{customer}/invoices/{invoice}",
			map[string]string{"customer": "cus_demo", "invoice": "inv_1002"}},
		"/v2/organization": {"GET", "/v2/organization", nil},
	} {
		got = nil
		res, _ := e.call(t, rawDescriptor("GET", path, nil, ""), nil)
		require.Equal(t, http.StatusOK, res.StatusCode, path)
		require.Equal(t, []Call{want}, got, path)
	}
	require.EqualValues(t, 4, e.up.hits.Load())

	// A path that matches no rule never reaches the hook.
	got = nil
	res, _ := e.call(t, rawDescriptor("GET", "/v1/invoices/inv_1001/", nil, ""), nil)
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	require.Empty(t, got)

	for _, c := range []struct {
		err    error
		status int
		code   string
	}{
		{apierr.ErrOutOfScope, http.StatusForbidden, "forbidden"},
		{fmt.Errorf("scope: %w", apierr.ErrOutOfScope), http.StatusForbidden, "forbidden"},
		{apierr.ErrInvalidToken, http.StatusUnauthorized, "invalid_token"},
		{apierr.ErrStoreUnavailable, http.StatusServiceUnavailable, "session_store_unavailable"},
		{errors.New("anything else"), http.StatusForbidden, "forbidden"},
	} {
		refuse = c.err
		res, b := e.call(t, rawDescriptor("GET", "/v1/invoices/inv_1001", nil, ""), nil)
		e.requireError(t, res, b, c.status, c.code)
	}
	require.EqualValues(t, 4, e.up.hits.Load(), "no refused call reached the provider")
}

// Without AuthorizeCall nothing checks that the caller may read an
// invoice with the server's token, so the default allowlist's {invoice}
// rule forwards nothing, whatever the invoice; other rules work.
func TestInvoiceRuleNeedsAuthorizeCall(t *testing.T) {
	e := newEnv(t, nil, nil)
	for _, path := range []string{"/v1/invoices/inv_1001", "/v1/invoices/inv_2001", "/v1/invoices/x"} {
		res, b := e.call(t, rawDescriptor("GET", path, nil, ""), func(r *http.Request) { r.Header.Set("Authorization", "Bearer scoped") })
		msg := e.requireError(t, res, b, http.StatusForbidden, "forbidden")
		require.Contains(t, msg, "AuthorizeCall", "the message says what to set")
	}
	require.Zero(t, e.up.hits.Load())
	res, _ := e.call(t, rawDescriptor("GET", "/v2/organization", nil, ""), nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
}
