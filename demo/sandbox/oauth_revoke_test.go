package sandbox

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// revokeCall posts to /auth/revoke, with the client's credentials unless
// anonymous, and returns the status.
func (o *oauthTest) revokeCall(t *testing.T, form url.Values, anonymous bool) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, o.srv.URL+"/auth/revoke", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if !anonymous {
		id, secret := o.s.ClientCredentials()
		req.SetBasicAuth(id, secret)
	}
	res, err := o.srv.Client().Do(req)
	require.NoError(t, err)
	res.Body.Close()
	return res.StatusCode
}

// Revoking either token of a login (RFC 7009) ends all of it: every
// refresh token of the family and every access token issued from it. Other
// logins live on.
func TestRevokeEndsTheWholeLogin(t *testing.T) {
	for _, kind := range []string{"refresh_token", "access_token"} {
		t.Run(kind, func(t *testing.T) {
			o := newOAuthTest(t, nil)
			first := o.codeTokens(t, "alice")
			status, rotated := o.tokenCall(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {str(first, "refresh_token")}})
			require.Equal(t, http.StatusOK, status)
			other := o.passwordTokens(t, "alice")

			assert.Equal(t, http.StatusOK, o.revokeCall(t, url.Values{"token": {str(rotated, kind)}, "token_type_hint": {kind}}, false))

			status, body := o.tokenCall(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {str(rotated, "refresh_token")}})
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, "invalid_grant", body["error"])
			for _, at := range []string{str(first, "access_token"), str(rotated, "access_token")} {
				res, _ := o.withBearer(t, http.MethodGet, "/auth/context", at, nil)
				assert.Equal(t, http.StatusUnauthorized, res.StatusCode, "access tokens of the revoked login")
			}
			res, _ := o.withBearer(t, http.MethodGet, "/auth/context", str(other, "access_token"), nil)
			assert.Equal(t, http.StatusOK, res.StatusCode, "another login is untouched")
		})
	}
}

// RFC 7009 §2.2: an unknown or already revoked token gets 200, so the
// answer tells nothing; the client must authenticate, and name a token.
func TestRevokeAnswers(t *testing.T) {
	o := newOAuthTest(t, nil)
	tok := o.passwordTokens(t, "alice")
	rt := url.Values{"token": {str(tok, "refresh_token")}}
	assert.Equal(t, http.StatusUnauthorized, o.revokeCall(t, rt, true), "no client authentication")
	status, _ := o.tokenCall(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {str(tok, "refresh_token")}})
	assert.Equal(t, http.StatusOK, status, "a refused revocation revoked nothing")
	assert.Equal(t, http.StatusOK, o.revokeCall(t, url.Values{"token": {"sbx_rt_unknown"}}, false))
	assert.Equal(t, http.StatusOK, o.revokeCall(t, rt, false))
	assert.Equal(t, http.StatusOK, o.revokeCall(t, rt, false), "twice")
	assert.Equal(t, http.StatusBadRequest, o.revokeCall(t, url.Values{}, false), "no token")
}
