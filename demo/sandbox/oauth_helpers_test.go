package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

// testRedirectURI is registered but never contacted: the test client does
// not follow redirects, it reads Location.
const testRedirectURI = "http://127.0.0.1:1/auth/callback"

// oauthTest is a sandbox plus a browser-like client (cookie jar, no
// redirect following) for driving the OAuth endpoints.
type oauthTest struct {
	s      *Sandbox
	srv    *httptest.Server
	clock  *testClock
	client *http.Client
}

func newOAuthTest(t *testing.T, mutate func(*Config)) *oauthTest {
	t.Helper()
	clock := newTestClock()
	cfg := Config{Now: clock.Now}
	cfg.OAuth.RedirectURIs = []string{testRedirectURI}
	if mutate != nil {
		mutate(&cfg)
	}
	s, srv := newTestSandbox(t, cfg)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &oauthTest{s: s, srv: srv, clock: clock, client: c}
}

func (o *oauthTest) password(t *testing.T, username string) string {
	t.Helper()
	u, ok := o.s.DemoUser(username)
	require.True(t, ok, "no demo user %q", username)
	return u.Password
}

// authorizeParams are a valid authorization request for verifier.
func authorizeParams(verifier, state string) url.Values {
	return url.Values{
		"response_type":         {"code"},
		"client_id":             {"sbx_client_demo"},
		"redirect_uri":          {testRedirectURI},
		"state":                 {state},
		"code_challenge":        {oauth2.S256ChallengeFromVerifier(verifier)},
		"code_challenge_method": {"S256"},
	}
}

func (o *oauthTest) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	res, err := o.client.Get(o.srv.URL + path)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(b)
}

var nonceRE = regexp.MustCompile(`name="nonce" value="([^"]+)"`)

// consentNonce opens the consent page for params and returns its nonce.
func (o *oauthTest) consentNonce(t *testing.T, params url.Values) string {
	t.Helper()
	res, body := o.get(t, "/auth?"+params.Encode())
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	m := nonceRE.FindStringSubmatch(body)
	require.NotNil(t, m, body)
	return m[1]
}

// submitConsent posts the consent form and returns the response.
func (o *oauthTest) submitConsent(t *testing.T, form url.Values) (*http.Response, string) {
	t.Helper()
	res, err := o.client.PostForm(o.srv.URL+"/auth/consent", form)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(b)
}

// approve runs the consent page as username and returns the redirect's query.
func (o *oauthTest) approve(t *testing.T, params url.Values, username string) url.Values {
	t.Helper()
	nonce := o.consentNonce(t, params)
	res, body := o.submitConsent(t, url.Values{"nonce": {nonce}, "username": {username}, "password": {o.password(t, username)}, "action": {"approve"}})
	if otp := o.s.CurrentOTP(username); otp != "" {
		// A 2FA user: the provider's page asks for the one-time password.
		require.Equal(t, http.StatusOK, res.StatusCode, body)
		m := nonceRE.FindStringSubmatch(body)
		require.NotNil(t, m, body)
		res, body = o.submitConsent(t, url.Values{"nonce": {m[1]}, "otp": {otp}, "action": {"approve"}})
	}
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body)
	return redirectQuery(t, res)
}

func redirectQuery(t *testing.T, res *http.Response) url.Values {
	t.Helper()
	loc, err := url.Parse(res.Header.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:1", loc.Host, "redirected to the registered URI")
	require.Equal(t, "/auth/callback", loc.Path)
	return loc.Query()
}

// tokenCall posts a grant to /auth/token with the client's credentials.
func (o *oauthTest) tokenCall(t *testing.T, form url.Values) (int, map[string]any) {
	t.Helper()
	id, secret := o.s.ClientCredentials()
	req, err := http.NewRequest(http.MethodPost, o.srv.URL+"/auth/token", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	res, err := o.srv.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var body map[string]any
	require.NoError(t, json.NewDecoder(res.Body).Decode(&body))
	return res.StatusCode, body
}

// codeTokens runs the whole authorization-code flow for username and
// returns the token response.
func (o *oauthTest) codeTokens(t *testing.T, username string) map[string]any {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	q := o.approve(t, authorizeParams(verifier, "st"), username)
	status, body := o.tokenCall(t, url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {testRedirectURI}, "code_verifier": {verifier}})
	require.Equal(t, http.StatusOK, status, body)
	return body
}

// passwordTokens runs the password grant for username.
func (o *oauthTest) passwordTokens(t *testing.T, username string) map[string]any {
	t.Helper()
	status, body := o.tokenCall(t, url.Values{"grant_type": {"password"}, "username": {username}, "password": {o.password(t, username)}})
	require.Equal(t, http.StatusOK, status, body)
	return body
}

// withBearer calls path with an access token.
func (o *oauthTest) withBearer(t *testing.T, method, path, token string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	h := http.Header{"Authorization": {"Bearer " + token}}
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	return doRequest(t, o.srv, method, path, h, body)
}

func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }
