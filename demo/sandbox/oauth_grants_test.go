package sandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

func TestCodeExchangeIssuesTokensWithSeedExtras(t *testing.T) {
	o := newOAuthTest(t, nil)
	before := o.s.TokenRequests()
	body := o.codeTokens(t, "alice")
	assert.Equal(t, before+1, o.s.TokenRequests())
	assert.Equal(t, "Bearer", str(body, "token_type"))
	assert.NotEmpty(t, str(body, "access_token"))
	assert.NotEmpty(t, str(body, "refresh_token"))
	assert.EqualValues(t, 3600, body["expires_in"])
	alice := o.s.oauth.users["alice"]
	assert.Equal(t, alice.ID, str(body, "userId"))
	assert.Equal(t, alice.Profile, str(body, "profile"))

	res, b := o.withBearer(t, http.MethodGet, "/auth/context", str(body, "access_token"), nil)
	require.Equal(t, http.StatusOK, res.StatusCode, string(b))
	var ctx map[string]string
	require.NoError(t, json.Unmarshal(b, &ctx))
	assert.Equal(t, map[string]string{"userId": alice.ID, "profile": alice.Profile, "email": "alice@sandbox.test", "name": "Alice Sandbox"}, ctx)
}

// codeFor runs consent and returns a fresh code and its verifier.
func (o *oauthTest) codeFor(t *testing.T, username string) (code, verifier string) {
	verifier = oauth2.GenerateVerifier()
	return o.approve(t, authorizeParams(verifier, "s"), username).Get("code"), verifier
}

func exchangeForm(code, verifier string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirectURI}, "code_verifier": {verifier}}
}

func TestCodeExchangeFailures(t *testing.T) {
	o := newOAuthTest(t, nil)
	cases := map[string]func(f url.Values){
		"wrong verifier":      func(f url.Values) { f.Set("code_verifier", oauth2.GenerateVerifier()) },
		"missing verifier":    func(f url.Values) { f.Del("code_verifier") },
		"short verifier":      func(f url.Values) { f.Set("code_verifier", "abc") },
		"challenge as verify": func(f url.Values) { f.Set("code_verifier", oauth2.S256ChallengeFromVerifier(f.Get("code_verifier"))) },
		"redirect mismatch":   func(f url.Values) { f.Set("redirect_uri", "http://127.0.0.1:2/auth/callback") },
		"missing redirect":    func(f url.Values) { f.Del("redirect_uri") },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			code, verifier := o.codeFor(t, "alice")
			f := exchangeForm(code, verifier)
			mutate(f)
			status, body := o.tokenCall(t, f)
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, "invalid_grant", body["error"])
			assert.Nil(t, body["access_token"])
			// The failed attempt spent the code: the right verifier is too late.
			status, body = o.tokenCall(t, exchangeForm(code, verifier))
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, "invalid_grant", body["error"])
		})
	}
	status, body := o.tokenCall(t, exchangeForm("sbx_ac_unknown", oauth2.GenerateVerifier()))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_grant", body["error"])
}

func TestCodeExpires(t *testing.T) {
	o := newOAuthTest(t, func(c *Config) { c.OAuth.CodeTTL = 30 * time.Second })
	code, verifier := o.codeFor(t, "alice")
	o.clock.Advance(30 * time.Second)
	status, body := o.tokenCall(t, exchangeForm(code, verifier))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_grant", body["error"])

	code, verifier = o.codeFor(t, "alice")
	o.clock.Advance(29 * time.Second)
	status, _ = o.tokenCall(t, exchangeForm(code, verifier))
	assert.Equal(t, http.StatusOK, status)
}

func TestCodeReplayRevokesIssuedTokens(t *testing.T) {
	o := newOAuthTest(t, nil)
	code, verifier := o.codeFor(t, "alice")
	status, first := o.tokenCall(t, exchangeForm(code, verifier))
	require.Equal(t, http.StatusOK, status)
	at, rt := str(first, "access_token"), str(first, "refresh_token")
	res, _ := o.withBearer(t, http.MethodGet, "/v1/accounts", at, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)

	status, body := o.tokenCall(t, exchangeForm(code, verifier))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_grant", body["error"])

	res, _ = o.withBearer(t, http.MethodGet, "/v1/accounts", at, nil)
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode, "access token from the replayed code is revoked")
	status, body = o.tokenCall(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_grant", body["error"])
}

func TestRefreshRotates(t *testing.T) {
	o := newOAuthTest(t, nil)
	tok := o.codeTokens(t, "alice")
	rt := str(tok, "refresh_token")
	for i := 0; i < 3; i++ {
		status, next := o.tokenCall(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
		require.Equal(t, http.StatusOK, status, next)
		require.NotEqual(t, rt, str(next, "refresh_token"), "a new refresh token each time")
		res, _ := o.withBearer(t, http.MethodGet, "/auth/context", str(next, "access_token"), nil)
		require.Equal(t, http.StatusOK, res.StatusCode)
		rt = str(next, "refresh_token")
	}
}

func TestRefreshReuseRevokesFamily(t *testing.T) {
	o := newOAuthTest(t, nil)
	tok := o.codeTokens(t, "alice")
	old := str(tok, "refresh_token")
	status, next := o.tokenCall(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {old}})
	require.Equal(t, http.StatusOK, status)

	// An attacker (or a racing client) presents the rotated token.
	status, body := o.tokenCall(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {old}})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_grant", body["error"])

	// Every token of the family is dead, including the legitimate newest ones.
	status, body = o.tokenCall(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {str(next, "refresh_token")}})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_grant", body["error"])
	for _, at := range []string{str(tok, "access_token"), str(next, "access_token")} {
		res, _ := o.withBearer(t, http.MethodGet, "/auth/context", at, nil)
		assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	}

	// Another login of the same user is unaffected.
	other := o.codeTokens(t, "alice")
	res, _ := o.withBearer(t, http.MethodGet, "/auth/context", str(other, "access_token"), nil)
	assert.Equal(t, http.StatusOK, res.StatusCode)
}

func TestRefreshExpiresAndUnknown(t *testing.T) {
	o := newOAuthTest(t, func(c *Config) { c.OAuth.RefreshTTL = time.Hour })
	tok := o.codeTokens(t, "alice")
	status, body := o.tokenCall(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"sbx_rt_unknown"}})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_grant", body["error"])
	o.clock.Advance(time.Hour)
	status, body = o.tokenCall(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {str(tok, "refresh_token")}})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_grant", body["error"])
}

func TestPasswordGrant(t *testing.T) {
	o := newOAuthTest(t, nil)
	tok := o.passwordTokens(t, "alice")
	assert.NotEmpty(t, str(tok, "refresh_token"))
	res, _ := o.withBearer(t, http.MethodGet, "/v1/accounts", str(tok, "access_token"), nil)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	res, b := o.withBearer(t, http.MethodGet, "/v1/self", str(tok, "access_token"), nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.JSONEq(t, `{"userId":"`+o.s.oauth.users["alice"].ID+`","username":"alice","isMFARequired":false,"mfaDeliveryMethods":[],"isSelfServiceUser":true,"isPasswordExpired":false}`, string(b))
}

func TestPasswordGrantDoesNotRevealUsers(t *testing.T) {
	o := newOAuthTest(t, nil)
	s1, unknown := o.tokenCall(t, url.Values{"grant_type": {"password"}, "username": {"mallory"}, "password": {"x"}})
	s2, wrong := o.tokenCall(t, url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"x"}})
	s3, empty := o.tokenCall(t, url.Values{"grant_type": {"password"}})
	assert.Equal(t, http.StatusBadRequest, s1)
	assert.Equal(t, s1, s2)
	assert.Equal(t, s1, s3)
	assert.Equal(t, unknown, wrong)
	assert.Equal(t, unknown, empty)
	assert.Equal(t, "invalid_grant", unknown["error"])
}

func TestGrantsNeedClientAuthentication(t *testing.T) {
	o := newOAuthTest(t, nil)
	form := url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {o.password(t, "alice")}, "client_id": {"sbx_client_demo"}}
	res, _ := doRequest(t, o.srv, http.MethodPost, "/auth/token", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, strings.NewReader(form.Encode()))
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
}
