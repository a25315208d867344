package server

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var consentNonce = regexp.MustCompile(`name="nonce" value="([^"]+)"`)

// codeFlow signs in with the authorization code and PKCE: the browser
// follows the redirects to the sandbox's consent page and approves.
func (b *browser) codeFlow(c *cluster, srv *Server, username string) {
	b.t.Helper()
	b.appSignIn(srv)
	page := b.call(srv, http.MethodGet, "/auth/start", "")
	require.Equal(b.t, http.StatusOK, page.status, page.body)
	m := consentNonce.FindStringSubmatch(page.body)
	require.NotNil(b.t, m, "not the consent page: %s", page.body)
	u, _ := c.sbx.DemoUser(username)
	form := url.Values{"nonce": {m[1]}, "username": {username}, "password": {u.Password}, "action": {"approve"}}
	res, err := b.hc.Post(c.sbxURL+"/auth/consent", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	require.NoError(b.t, err)
	res.Body.Close()
	require.Equal(b.t, http.StatusOK, res.StatusCode)
	require.Equal(b.t, "/", res.Request.URL.Path, "landed back on the demo")
}

// After every flow (password + OTP, code + PKCE, checkout), the Redis
// dump holds no token, password, one-time password, secret or cookie.
func TestClusterStoreDumpHoldsNoSecret(t *testing.T) {
	c := newCluster(t)
	a := c.instance()
	var cookies []string
	collect := func(b *browser) {
		u, _ := url.Parse(a.URL)
		for _, ck := range b.hc.Jar.Cookies(u) {
			if ck.Name == a.sessions.CookieName() {
				cookies = append(cookies, ck.Value)
			}
		}
	}

	bob := newBrowser(t)
	otp := c.sbx.CurrentOTP("bob")
	bob.signIn(c, a, "bob")
	require.Equal(t, http.StatusOK, bob.call(a, http.MethodGet, "/api/accounts", "").status)
	r := bob.call(a, http.MethodPost, "/api/checkout-token", `{"invoice_id":"inv_1001"}`)
	require.Equal(t, http.StatusOK, r.status, r.body)
	collect(bob)

	alice := newBrowser(t)
	alice.codeFlow(c, a, "alice")
	r = alice.call(a, http.MethodGet, "/api/me", "")
	require.Contains(t, r.body, `"connected":true`)
	collect(alice)

	pending := newBrowser(t) // a code flow left half-way: state and verifier stored
	pending.appSignIn(a)
	require.Equal(t, http.StatusOK, pending.call(a, http.MethodGet, "/auth/start", "").status)
	collect(pending)

	dump := c.dump()
	require.Contains(t, dump, "sealbridge:session:", "the sessions are in Redis")
	alicePw, _ := c.sbx.DemoUser("alice")
	bobPw, _ := c.sbx.DemoUser("bob")
	st := c.sbx.Settings(c.sbxURL)
	secrets := map[string]string{
		"access token": "sbx_at_", "refresh token": "sbx_rt_", "client secret prefix": "sbx_cs_",
		"client secret": st.ClientSecret, "alice's password": alicePw.Password, "bob's password": bobPw.Password,
		"bob's OTP": otp, "user name": "alice", "demo user": "demo-user",
	}
	require.Len(t, cookies, 3)
	for i, ck := range cookies {
		_, secretHalf, ok := strings.Cut(ck, ".")
		require.True(t, ok)
		secrets["cookie secret "+string(rune('0'+i))] = secretHalf
	}
	for what, s := range secrets {
		require.NotEmpty(t, s, what)
		assert.NotContains(t, dump, s, "the dump shows %s", what)
	}
}
