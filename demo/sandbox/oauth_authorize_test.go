package sandbox

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

func TestAuthorizeApproveRedirectsWithCodeStateAndIss(t *testing.T) {
	o := newOAuthTest(t, nil)
	q := o.approve(t, authorizeParams(oauth2.GenerateVerifier(), "the-state"), "alice")
	assert.NotEmpty(t, q.Get("code"))
	assert.Equal(t, "the-state", q.Get("state"))
	assert.Equal(t, o.srv.URL, q.Get("iss"), "RFC 9207 iss derived from the request")
	assert.Empty(t, q.Get("error"))
}

func TestAuthorizeConfiguredIssuer(t *testing.T) {
	o := newOAuthTest(t, func(c *Config) { c.OAuth.Issuer = "http://127.0.0.1:9/provider" })
	q := o.approve(t, authorizeParams(oauth2.GenerateVerifier(), "s"), "alice")
	assert.Equal(t, "http://127.0.0.1:9/provider", q.Get("iss"))
}

func TestAuthorizeConsentPageIsClickable(t *testing.T) {
	o := newOAuthTest(t, nil)
	res, body := o.get(t, "/auth?"+authorizeParams(oauth2.GenerateVerifier(), "s").Encode())
	require.Equal(t, http.StatusOK, res.StatusCode)
	for _, id := range []string{`id="approve"`, `id="deny"`, `id="username"`, `id="password"`} {
		assert.Contains(t, body, id)
	}
	assert.Equal(t, "DENY", res.Header.Get("X-Frame-Options"))
	assert.Contains(t, res.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'")
}

func TestAuthorizeBadClientOrRedirectShowsErrorPageWithoutRedirect(t *testing.T) {
	o := newOAuthTest(t, nil)
	cases := map[string]func(url.Values){
		"unknown client":         func(v url.Values) { v.Set("client_id", "someone-else") },
		"missing client":         func(v url.Values) { v.Del("client_id") },
		"unregistered redirect":  func(v url.Values) { v.Set("redirect_uri", "http://127.0.0.1:2/auth/callback") },
		"prefix of registered":   func(v url.Values) { v.Set("redirect_uri", "http://127.0.0.1:1/auth") },
		"extended registered":    func(v url.Values) { v.Set("redirect_uri", testRedirectURI+"/x") },
		"trailing slash":         func(v url.Values) { v.Set("redirect_uri", testRedirectURI+"/") },
		"registered plus query":  func(v url.Values) { v.Set("redirect_uri", testRedirectURI+"?next=//evil") },
		"case variant":           func(v url.Values) { v.Set("redirect_uri", strings.ToUpper(testRedirectURI)) },
		"missing redirect":       func(v url.Values) { v.Del("redirect_uri") },
		"duplicate redirect_uri": func(v url.Values) { v.Add("redirect_uri", "http://127.0.0.1:2/x") },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			p := authorizeParams(oauth2.GenerateVerifier(), "s")
			mutate(p)
			res, body := o.get(t, "/auth?"+p.Encode())
			assert.Equal(t, http.StatusBadRequest, res.StatusCode)
			assert.Empty(t, res.Header.Get("Location"), "RFC 6749 §4.1.2.1: never redirect to an unverified URI")
			assert.Contains(t, body, `id="error"`)
		})
	}
}

func TestAuthorizeRequiresS256(t *testing.T) {
	o := newOAuthTest(t, nil)
	cases := map[string]func(url.Values){
		"plain":              func(v url.Values) { v.Set("code_challenge_method", "plain") },
		"missing method":     func(v url.Values) { v.Del("code_challenge_method") },
		"lowercase s256":     func(v url.Values) { v.Set("code_challenge_method", "s256") },
		"missing challenge":  func(v url.Values) { v.Del("code_challenge") },
		"short challenge":    func(v url.Values) { v.Set("code_challenge", "abc") },
		"wrong type":         func(v url.Values) { v.Set("response_type", "token") },
		"duplicate state":    func(v url.Values) { v.Add("state", "other") },
		"duplicate response": func(v url.Values) { v.Add("response_type", "code") },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			p := authorizeParams(oauth2.GenerateVerifier(), "s")
			mutate(p)
			res, body := o.get(t, "/auth?"+p.Encode())
			require.Equal(t, http.StatusSeeOther, res.StatusCode, body)
			q := redirectQuery(t, res)
			assert.Contains(t, []string{"invalid_request", "unsupported_response_type"}, q.Get("error"))
			assert.Empty(t, q.Get("code"))
			assert.Equal(t, o.srv.URL, q.Get("iss"))
		})
	}
}

func TestConsentDenyRedirectsAccessDenied(t *testing.T) {
	o := newOAuthTest(t, nil)
	nonce := o.consentNonce(t, authorizeParams(oauth2.GenerateVerifier(), "st8"))
	res, _ := o.submitConsent(t, url.Values{"nonce": {nonce}, "action": {"deny"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	q := redirectQuery(t, res)
	assert.Equal(t, "access_denied", q.Get("error"))
	assert.Equal(t, "st8", q.Get("state"))
	assert.Equal(t, o.srv.URL, q.Get("iss"))
	assert.Empty(t, q.Get("code"))
}

func TestConsentWrongPasswordStaysOnPage(t *testing.T) {
	o := newOAuthTest(t, nil)
	nonce := o.consentNonce(t, authorizeParams(oauth2.GenerateVerifier(), "s"))
	res, body := o.submitConsent(t, url.Values{"nonce": {nonce}, "username": {"alice"}, "password": {"nope"}, "action": {"approve"}})
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	assert.Empty(t, res.Header.Get("Location"))
	assert.Contains(t, body, "Wrong username or password")
	// The page carries a fresh nonce that works.
	m := nonceRE.FindStringSubmatch(body)
	require.NotNil(t, m)
	assert.NotEqual(t, nonce, m[1])
	res, _ = o.submitConsent(t, url.Values{"nonce": {m[1]}, "username": {"alice"}, "password": {o.password(t, "alice")}, "action": {"approve"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.NotEmpty(t, redirectQuery(t, res).Get("code"))
}

func TestConsentNonceIsSingleUseAndBoundToBrowser(t *testing.T) {
	o := newOAuthTest(t, nil)
	nonce := o.consentNonce(t, authorizeParams(oauth2.GenerateVerifier(), "s"))

	// Another browser (no consent cookie) cannot use it: login CSRF.
	other := newOAuthTest(t, nil)
	other.srv = o.srv
	form := url.Values{"nonce": {nonce}, "username": {"alice"}, "password": {o.password(t, "alice")}, "action": {"approve"}}
	res, _ := other.submitConsent(t, form)
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Empty(t, res.Header.Get("Location"))

	// And the attempt spent it.
	res, _ = o.submitConsent(t, form)
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)

	// A fresh nonce works once.
	form.Set("nonce", o.consentNonce(t, authorizeParams(oauth2.GenerateVerifier(), "s")))
	res, _ = o.submitConsent(t, form)
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
	res, _ = o.submitConsent(t, form)
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
}

func TestConsentExpires(t *testing.T) {
	o := newOAuthTest(t, nil)
	nonce := o.consentNonce(t, authorizeParams(oauth2.GenerateVerifier(), "s"))
	o.clock.Advance(consentTTL)
	res, _ := o.submitConsent(t, url.Values{"nonce": {nonce}, "username": {"alice"}, "password": {o.password(t, "alice")}, "action": {"approve"}})
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
}

func TestSetRedirectURIsReplacesAndValidates(t *testing.T) {
	o := newOAuthTest(t, nil)
	o.s.SetRedirectURIs("http://127.0.0.1:3/cb", "/relative", "javascript:alert(1)", "http://127.0.0.1:3/cb#frag")
	assert.True(t, o.s.oauth.redirectURIAllowed("http://127.0.0.1:3/cb"))
	assert.False(t, o.s.oauth.redirectURIAllowed(testRedirectURI), "replaced")
	assert.False(t, o.s.oauth.redirectURIAllowed("/relative"))
	assert.False(t, o.s.oauth.redirectURIAllowed("javascript:alert(1)"))
	assert.False(t, o.s.oauth.redirectURIAllowed("http://127.0.0.1:3/cb#frag"))
}

func TestDemoUsersHaveGeneratedPasswords(t *testing.T) {
	a := newOAuthTest(t, nil).s.DemoUsers()
	b := newOAuthTest(t, nil).s.DemoUsers()
	require.Len(t, a, 2)
	assert.Equal(t, "alice", a[0].Username)
	assert.False(t, a[0].TwoFactor)
	assert.Equal(t, "bob", a[1].Username)
	assert.True(t, a[1].TwoFactor)
	for i := range a {
		assert.Len(t, a[i].Password, 19)
		assert.NotEqual(t, a[i].Password, b[i].Password, "generated per start, not fixed in code")
	}

	o := newOAuthTest(t, func(c *Config) {
		c.OAuth.Users = []DemoUser{{Username: "carol", Password: "test-fixture-password", TwoFactor: true}, {Username: "dave"}}
	})
	users := o.s.DemoUsers()
	require.Len(t, users, 2)
	assert.Equal(t, "test-fixture-password", users[0].Password)
	assert.NotEmpty(t, users[1].Password)
}

func TestNewRefusesBadUsers(t *testing.T) {
	_, err := New(Config{OAuth: OAuthConfig{Users: []DemoUser{{Username: ""}}}})
	assert.Error(t, err)
	_, err = New(Config{OAuth: OAuthConfig{Users: []DemoUser{{Username: "x"}, {Username: "x"}}}})
	assert.Error(t, err)
}

func TestCodeDefaultsAreShortLived(t *testing.T) {
	var c OAuthConfig
	c.withDefaults()
	assert.Equal(t, 60*time.Second, c.CodeTTL)
	assert.Equal(t, 10*time.Minute, c.TwoFactorWindow)
	assert.Equal(t, 5, c.OTPMaxFailures)
}

// The code flow asks a 2FA user for the one-time password on the
// provider's own page, after the password: no code is issued before it,
// a wrong code keeps the user on the page (single use, rate limited as at
// /twofactor/validate), and the right one issues the code.
func TestCodeFlowAsksTwoFactorUserForOTP(t *testing.T) {
	o := newOAuthTest(t, nil)
	nonce := o.consentNonce(t, authorizeParams(oauth2.GenerateVerifier(), "s"))
	res, body := o.submitConsent(t, url.Values{"nonce": {nonce}, "username": {"bob"}, "password": {o.password(t, "bob")}, "action": {"approve"}})
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	assert.Empty(t, res.Header.Get("Location"), "no code for bob on his password alone")
	assert.Contains(t, body, `id="otp"`)
	otpNonce := nonceRE.FindStringSubmatch(body)[1]

	// Six characters, so it is checked, but never a valid (all-digit) code.
	res, body = o.submitConsent(t, url.Values{"nonce": {otpNonce}, "otp": {"00000x"}, "action": {"approve"}})
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	assert.Empty(t, res.Header.Get("Location"))
	assert.Contains(t, body, "wrong")
	assert.Contains(t, body, `id="otp"`, "still at the code step: the password is not asked again")
	retry := nonceRE.FindStringSubmatch(body)[1]

	// The password alone, replayed at the code step, is no code.
	res, _ = o.submitConsent(t, url.Values{"nonce": {retry}, "username": {"bob"}, "password": {o.password(t, "bob")}, "action": {"approve"}})
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	assert.Empty(t, res.Header.Get("Location"))
}

func TestCodeFlowTwoFactorUserGetsCodeWithOTP(t *testing.T) {
	o := newOAuthTest(t, nil)
	q := o.approve(t, authorizeParams(oauth2.GenerateVerifier(), "s"), "bob") // password, then the OTP
	assert.NotEmpty(t, q.Get("code"))
	tokens := o.codeTokens(t, "alice")
	assert.NotEmpty(t, str(tokens, "access_token"), "alice has no 2FA: no code step")
}

// Every form the provider's pages show (consent, wrong-password retry,
// one-time password, its retry) posts to an absolute path: a relative
// action resolved against /auth/consent gave /auth/auth/consent (404).
func TestConsentFormsPostToAbsoluteAction(t *testing.T) {
	o := newOAuthTest(t, nil)
	actionRE := regexp.MustCompile(`<form[^>]*action="([^"]*)"`)
	check := func(name, body string) string {
		m := actionRE.FindAllStringSubmatch(body, -1)
		require.NotEmpty(t, m, "%s: a form", name)
		for _, a := range m {
			assert.Equal(t, "/auth/consent", a[1], "%s", name)
		}
		return nonceRE.FindStringSubmatch(body)[1]
	}
	_, body := o.get(t, "/auth?"+authorizeParams(oauth2.GenerateVerifier(), "s").Encode())
	nonce := check("consent", body)
	_, body = o.submitConsent(t, url.Values{"nonce": {nonce}, "username": {"bob"}, "password": {"wrong"}, "action": {"approve"}})
	nonce = check("password retry", body)
	_, body = o.submitConsent(t, url.Values{"nonce": {nonce}, "username": {"bob"}, "password": {o.password(t, "bob")}, "action": {"approve"}})
	nonce = check("one-time password", body)
	_, body = o.submitConsent(t, url.Values{"nonce": {nonce}, "otp": {"abc"}, "action": {"approve"}})
	check("one-time password retry", body)
}
