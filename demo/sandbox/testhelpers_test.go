package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/internal/testutil"
)

type testClock = testutil.Clock

func newTestClock() *testClock {
	return testutil.NewClock(time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC))
}

// newTestSandbox builds a sandbox and serves it on 127.0.0.1.
func newTestSandbox(t *testing.T, cfg Config) (*Sandbox, *httptest.Server) {
	t.Helper()
	s, err := New(cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return s, srv
}

// clientToken gets an access token from /auth/token with client_credentials.
func clientToken(t *testing.T, srv *httptest.Server, s *Sandbox) string {
	t.Helper()
	id, secret := s.ClientCredentials()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}
	res, err := srv.Client().Post(srv.URL+"/auth/token", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	var tr tokenResponse
	require.NoError(t, json.NewDecoder(res.Body).Decode(&tr))
	require.NotEmpty(t, tr.AccessToken)
	return tr.AccessToken
}

// doRequest sends a request and returns the response with its body read.
func doRequest(t *testing.T, srv *httptest.Server, method, path string, header http.Header, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, body)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, b
}

// apiErrorOf decodes a {"code","message"} error body.
func apiErrorOf(t *testing.T, b []byte) apiError {
	t.Helper()
	var e apiError
	require.NoError(t, json.Unmarshal(b, &e), "body: %s", b)
	return e
}
