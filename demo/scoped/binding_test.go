package scoped_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/apierr"
	"github.com/sealbridge/sealbridge/demo/intermediary"
	"github.com/sealbridge/sealbridge/demo/scoped"
)

// alice is the session's user in these tests; she owns cus_demo only.
func aliceOwns(user, customer string) bool { return user == "alice" && customer == "cus_demo" }

func TestBind(t *testing.T) {
	mine := scoped.VerifiedClaims{CustomerID: "cus_demo", InvoiceID: "inv_1001"}
	for name, c := range map[string]struct {
		claims scoped.VerifiedClaims
		user   string
		params map[string]string
		ok     bool
	}{
		"own token, no invoice in the rule": {mine, "alice", nil, true},
		"own token, its invoice":            {mine, "alice", map[string]string{"invoice": "inv_1001"}, true},
		"other placeholders bind nothing":   {mine, "alice", map[string]string{"id": "ben_1"}, true},
		"another invoice":                   {mine, "alice", map[string]string{"invoice": "inv_1002"}, false},
		"upper-case invoice":                {mine, "alice", map[string]string{"invoice": "INV_1001"}, false},
		"invoice with a suffix":             {mine, "alice", map[string]string{"invoice": "inv_1001-"}, false},
		"invoice prefix":                    {mine, "alice", map[string]string{"invoice": "inv_100"}, false},
		"empty invoice":                     {mine, "alice", map[string]string{"invoice": ""}, false},
		"another customer's token":          {scoped.VerifiedClaims{CustomerID: "cus_other", InvoiceID: "inv_2001"}, "alice", nil, false},
		"another customer's own invoice":    {scoped.VerifiedClaims{CustomerID: "cus_other", InvoiceID: "inv_2001"}, "alice", map[string]string{"invoice": "inv_2001"}, false},
		"upper-case customer":               {scoped.VerifiedClaims{CustomerID: "CUS_DEMO", InvoiceID: "inv_1001"}, "alice", nil, false},
		"another user":                      {mine, "bob", nil, false},
		"no user":                           {mine, "", nil, false},
	} {
		t.Run(name, func(t *testing.T) {
			err := scoped.Bind(c.claims, c.user, aliceOwns, c.params)
			if c.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, apierr.ErrOutOfScope)
			require.NotErrorIs(t, err, apierr.ErrInvalidToken, "renewing would not help")
			var se *scoped.ScopeError
			require.True(t, errors.As(err, &se))
		})
	}
	require.ErrorIs(t, scoped.Bind(mine, "alice", nil, nil), apierr.ErrOutOfScope, "no ownership table owns nothing")
	require.Equal(t, intermediary.InvoiceParam, scoped.InvoiceParam, "both packages name the same placeholder")
}

// guardCase is one call through the intermediary with a Guard.
type guardCase struct {
	name   string
	auth   []string // Authorization headers
	path   string
	status int
	code   string // the intermediary's error code; "" for a forwarded call
	// optional guard (true: Required off) or verifier changes
	optional bool
	verifier func(*scoped.VerifierConfig)
}

// TestGuardBindsTokenToCall runs every way a scoped token can fail to
// cover a call through a real intermediary in front of the real sandbox:
// each refusal leaves the provider's dispatch count unchanged, each
// accepted call reaches it once.
func TestGuardBindsTokenToCall(t *testing.T) {
	e := newScopedEnv(t)
	expired := e.mint(t)
	e.clock.Advance(scopedTTL + time.Minute) // past the 30 s leeway
	own := e.mint(t)
	other := e.mintFor(t, "cus_other", "inv_2001")
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	strangerKey := scopedForge(t, jose.RS256, priv, e.kid(t), e.validClaims())
	bearer := func(tok string) []string { return []string{"Bearer " + tok} }

	cases := []guardCase{
		{name: "no token", path: "/v2/organization", status: 401, code: "invalid_token"},
		{name: "empty bearer", auth: []string{"Bearer "}, path: "/v2/organization", status: 401, code: "invalid_token"},
		{name: "bearer without token", auth: []string{"Bearer"}, path: "/v2/organization", status: 401, code: "invalid_token"},
		{name: "basic", auth: []string{"Basic dTpw"}, path: "/v2/organization", status: 401, code: "invalid_token"},
		{name: "basic holding the token", auth: []string{"Basic " + own}, path: "/v1/invoices/inv_1001", status: 401, code: "invalid_token"},
		{name: "two bearer headers", auth: []string{"Bearer " + own, "Bearer " + own}, path: "/v1/invoices/inv_1001", status: 401, code: "invalid_token"},
		{name: "garbage", auth: bearer("garbage"), path: "/v2/organization", status: 401, code: "invalid_token"},
		{name: "signed by another key", auth: bearer(strangerKey), path: "/v1/invoices/inv_1001", status: 401, code: "invalid_token"},
		{name: "expired", auth: bearer(expired), path: "/v1/invoices/inv_1001", status: 401, code: "invalid_token"},
		{name: "wrong audience", auth: bearer(own), path: "/v1/invoices/inv_1001", status: 401, code: "invalid_token",
			verifier: func(c *scoped.VerifierConfig) { c.Audience = "another-audience" }},
		{name: "another customer's token", auth: bearer(other), path: "/v2/organization", status: 403, code: "forbidden"},
		{name: "another customer's token on its invoice", auth: bearer(other), path: "/v1/invoices/inv_2001", status: 403, code: "forbidden"},
		{name: "inv_1001 token on inv_1002", auth: bearer(own), path: "/v1/invoices/inv_1002", status: 403, code: "forbidden"},
		{name: "inv_1001 token on inv_2001", auth: bearer(own), path: "/v1/invoices/inv_2001", status: 403, code: "forbidden"},
		{name: "upper case", auth: bearer(own), path: "/v1/invoices/INV_1001", status: 403, code: "forbidden"},
		{name: "mixed case", auth: bearer(own), path: "/v1/invoices/Inv_1001", status: 403, code: "forbidden"},
		{name: "encoded slash and dots", auth: bearer(own), path: "/v1/invoices/inv_1001%2F..%2Finv_1002", status: 400, code: "bad_descriptor"},
		{name: "lower-case encoded slash", auth: bearer(own), path: "/v1/invoices/inv_1001%2f..", status: 400, code: "bad_descriptor"},
		{name: "dot segment", auth: bearer(own), path: "/v1/invoices/inv_1001/../inv_1002", status: 400, code: "bad_descriptor"},
		{name: "double slash before", auth: bearer(own), path: "/v1/invoices//inv_1001", status: 400, code: "bad_descriptor"},
		{name: "double slash inside", auth: bearer(own), path: "/v1//invoices/inv_1001", status: 400, code: "bad_descriptor"},
		{name: "trailing slash", auth: bearer(own), path: "/v1/invoices/inv_1001/", status: 403, code: "path_not_allowed"},
		{name: "deeper path", auth: bearer(own), path: "/v1/invoices/inv_1001/payments", status: 403, code: "path_not_allowed"},
		{name: "encoded space", auth: bearer(own), path: "/v1/invoices/inv_1001%20", status: 403, code: "path_not_allowed"},
		{name: "non-ASCII look-alike", auth: bearer(own), path: "/v1/invoices/inv_1001\u0131", status: 403, code: "path_not_allowed"},
		{name: "optional: no token on an invoice path", optional: true, path: "/v1/invoices/inv_1001", status: 401, code: "invalid_token"},
		{name: "optional: basic on an invoice path", optional: true, auth: []string{"Basic dTpw"}, path: "/v1/invoices/inv_1001", status: 401, code: "invalid_token"},
		{name: "optional: another customer's token", optional: true, auth: bearer(other), path: "/v2/organization", status: 403, code: "forbidden"},
		{name: "optional: no token, no invoice", optional: true, path: "/v2/organization", status: 200},
		{name: "own token on its invoice", auth: bearer(own), path: "/v1/invoices/inv_1001", status: 200},
		{name: "own token, lower-case scheme", auth: []string{"bearer " + own}, path: "/v1/invoices/inv_1001", status: 200},
		{name: "own token, encoded underscore", auth: bearer(own), path: "/v1/invoices/inv%5F1001", status: 200},
		{name: "own token on a path without {invoice}", auth: bearer(own), path: "/v2/organization", status: 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { runGuardCase(t, e, c) })
	}
}

func runGuardCase(t *testing.T, e *scopedEnv, c guardCase) {
	var mutate []func(*scoped.VerifierConfig)
	if c.verifier != nil {
		mutate = append(mutate, c.verifier)
	}
	guard := &scoped.Guard{Verifier: e.verifier(t, mutate...), OwnsCustomer: aliceOwns, Required: !c.optional}
	partner := e.partnerToken(t)
	h, err := intermediary.New(intermediary.Config{
		ProviderURL:   e.srv.URL,
		Token:         func(context.Context) (string, error) { return partner, nil },
		Authenticate:  func(*http.Request) bool { return true },
		AuthorizeCall: func(r *http.Request, call intermediary.Call) error { return guard.Check(r, "alice", call.Params) },
	})
	require.NoError(t, err)
	desc, err := json.Marshal(map[string]any{"method": "GET", "headers": map[string]string{}, "path": c.path})
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodPost, "/api/embed-intermediary", strings.NewReader(base64.StdEncoding.EncodeToString(desc)))
	r.Header.Set("Content-Type", "text/plain")
	r.Header.Set(intermediary.CSRFHeader, "1")
	for _, a := range c.auth {
		r.Header.Add("Authorization", a)
	}
	before := e.sb.DispatchCount()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)

	require.Equal(t, c.status, w.Code, w.Body.String())
	if c.code == "" {
		assert.Equal(t, before+1, e.sb.DispatchCount(), "the call reached the provider once")
		return
	}
	assert.Equal(t, c.code, scopedEnvelopeCode(t, w))
	assert.Equal(t, before, e.sb.DispatchCount(), "a refused call never reaches the provider")
	if c.status == http.StatusUnauthorized {
		assert.Equal(t, `Bearer error="invalid_token"`, w.Header().Get("WWW-Authenticate"))
	}
}
