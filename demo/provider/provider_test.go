package provider

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tokenEndpoint issues tok-1, tok-2, ... and counts the calls.
func tokenEndpoint(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		id, secret, ok := r.BasicAuth()
		if !ok || id != "cid" || secret != "csecret" || r.FormValue("grant_type") != "client_credentials" {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"tok-%d","token_type":"Bearer","expires_in":3600}`, n)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func newTokens(srv *httptest.Server) *Tokens {
	return ClientCredentials(ClientCredentialsConfig{ClientID: "cid", ClientSecret: "csecret", TokenURL: srv.URL, HTTPClient: srv.Client()})
}

func TestTokensConcurrentCallersShareOneFetch(t *testing.T) {
	srv, calls := tokenEndpoint(t)
	tokens := newTokens(srv)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			tok, err := tokens.Token()
			assert.NoError(t, err)
			assert.Equal(t, "tok-1", tok.AccessToken)
		})
	}
	wg.Wait()
	assert.Equal(t, int32(1), calls.Load())
}

func TestTokensRenewReplacesARefusedTokenOnce(t *testing.T) {
	srv, calls := tokenEndpoint(t)
	tokens := newTokens(srv)
	tok, err := tokens.Token()
	require.NoError(t, err)
	// Many callers saw tok-1 refused: one new fetch, whoever asks first.
	for range 10 {
		assert.True(t, tokens.Renew(tok.AccessToken))
	}
	next, err := tokens.Token()
	require.NoError(t, err)
	assert.Equal(t, "tok-2", next.AccessToken)
	assert.True(t, tokens.Renew(tok.AccessToken), "a stale token no longer current changes nothing")
	again, err := tokens.Token()
	require.NoError(t, err)
	assert.Equal(t, "tok-2", again.AccessToken)
	assert.Equal(t, int32(2), calls.Load())
}

func TestStaticAndUnavailableTokensCannotRenew(t *testing.T) {
	s := Static("fixed")
	tok, err := s.Token()
	require.NoError(t, err)
	assert.Equal(t, "fixed", tok.AccessToken)
	assert.False(t, s.Renew("fixed"))

	u := Unavailable(fmt.Errorf("set the credentials"))
	_, err = u.AccessToken(t.Context())
	assert.ErrorContains(t, err, "set the credentials")
	assert.False(t, u.Renew(""))
}

func TestHardenedClientsFollowNoRedirectAndKeepNoCookies(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "provider", Value: "x"})
		http.Redirect(w, r, other.URL, http.StatusFound)
	}))
	defer redirecting.Close()

	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	for name, c := range map[string]*http.Client{
		"NewHTTPClient":    NewHTTPClient(0),
		"Harden(given)":    Harden(&http.Client{Jar: jar}, 5*time.Second),
		"Harden(nil, 5 s)": Harden(nil, 5*time.Second),
	} {
		res, err := c.Get(redirecting.URL)
		require.NoError(t, err, name)
		res.Body.Close()
		assert.Equal(t, http.StatusFound, res.StatusCode, name)
		assert.Nil(t, c.Jar, name)
		assert.NotZero(t, c.Timeout, name)
	}
	assert.Zero(t, elsewhere.Load(), "no request reached the redirect's target")
}

func TestReadBodyBoundsTheAnswer(t *testing.T) {
	b, err := ReadBody(strings.NewReader("12345"), 5)
	require.NoError(t, err)
	assert.Equal(t, "12345", string(b))
	_, err = ReadBody(strings.NewReader("123456"), 5)
	assert.ErrorIs(t, err, ErrTooLarge)
}
