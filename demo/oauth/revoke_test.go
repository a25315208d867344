package oauth

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refreshAtProvider presents rt at the sandbox's token endpoint, as the
// dev server would, and returns the status.
func (e *flowsEnv) refreshAtProvider(t *testing.T, rt string) int {
	t.Helper()
	id, secret := e.sbx.ClientCredentials()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
	req, err := http.NewRequest(http.MethodPost, e.sbxSrv.URL+"/auth/token", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	return res.StatusCode
}

// "Disconnect" revokes the login at the provider (RFC 7009): the refresh
// token the session held, and the access token, stop working there, for
// either grant.
func TestLogoutRevokesAtProvider(t *testing.T) {
	for _, grant := range []string{"password", "authorization_code"} {
		t.Run(grant, func(t *testing.T) {
			e := newFlowsEnv(t, nil)
			if grant == "password" {
				require.Equal(t, http.StatusOK, e.login(t, "alice", e.password(t, "alice")).status)
			} else {
				e.connectWithCode(t, "alice")
			}
			p := e.session(t).Provider
			require.NotEmpty(t, p.RefreshToken)
			require.Equal(t, http.StatusOK, e.postJSON(t, "/api/logout", "").status)

			assert.Equal(t, http.StatusBadRequest, e.refreshAtProvider(t, p.RefreshToken), "the refresh token was revoked")
			res, err := e.flows.send(context.Background(), p.AccessToken, http.MethodGet, "/auth/context", nil)
			require.NoError(t, err)
			assert.Equal(t, http.StatusUnauthorized, res.status, "the access token was revoked with it")
			assert.Contains(t, e.appLogs.String(), "provider tokens revoked")
		})
	}
}

// A revocation endpoint that is down, slow to refuse or answers an error
// never keeps anyone connected: the tokens leave the session all the
// same, and the log says so without the token, the secret or the answer.
func TestLogoutWhenRevocationFails(t *testing.T) {
	for name, revokeURL := range map[string]string{
		"unreachable": "http://127.0.0.1:1/auth/revoke",
		"refuses":     "", // set below: the sandbox's token endpoint, which answers 400 to a revocation
	} {
		t.Run(name, func(t *testing.T) {
			e := newFlowsEnv(t, nil)
			e.flows.revokeURL = revokeURL
			if revokeURL == "" {
				e.flows.revokeURL = e.sbxSrv.URL + "/auth/token"
			}
			require.Equal(t, http.StatusOK, e.login(t, "alice", e.password(t, "alice")).status)
			p := e.session(t).Provider
			res := e.postJSON(t, "/api/logout", "")
			assert.Equal(t, http.StatusOK, res.status, res.body)
			assert.Nil(t, e.session(t).Provider, "disconnected although the provider was not told")
			logs := e.appLogs.String()
			assert.Contains(t, logs, "token revocation failed")
			_, secret := e.sbx.ClientCredentials()
			for _, s := range []string{p.RefreshToken, p.AccessToken, secret} {
				assert.NotContains(t, logs, s)
			}
		})
	}
}
