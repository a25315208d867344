package scoped_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/scoped"
)

func TestScopedUnknownKidRefetchesOncePerMinute(t *testing.T) {
	e := newScopedEnv(t)
	v := e.verifier(t)
	_, err := v.Verify(context.Background(), e.mint(t))
	require.NoError(t, err)
	require.Equal(t, int32(1), e.jwksHits.Load())

	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	stranger := scopedForge(t, jose.RS256, priv, "kid-unknown", e.validClaims())

	// The set was just loaded: a refetch could not know more yet.
	_, err = v.Verify(context.Background(), stranger)
	requireInvalidToken(t, err)
	assert.Equal(t, int32(1), e.jwksHits.Load())

	e.clock.Advance(time.Minute)
	stranger = scopedForge(t, jose.RS256, priv, "kid-unknown", e.validClaims())
	_, err = v.Verify(context.Background(), stranger)
	requireInvalidToken(t, err)
	assert.Contains(t, err.Error(), "key id")
	assert.Equal(t, int32(2), e.jwksHits.Load(), "one refetch for the unknown kid")

	_, err = v.Verify(context.Background(), stranger)
	requireInvalidToken(t, err)
	e.clock.Advance(59 * time.Second)
	_, err = v.Verify(context.Background(), stranger)
	requireInvalidToken(t, err)
	assert.Equal(t, int32(2), e.jwksHits.Load(), "no second refetch within the minute")
}

func TestScopedUnknownKidConcurrentSingleFlight(t *testing.T) {
	e := newScopedEnv(t)
	v := e.verifier(t)
	_, err := v.Verify(context.Background(), e.mint(t))
	require.NoError(t, err)
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	e.clock.Advance(time.Minute)
	stranger := scopedForge(t, jose.RS256, priv, "kid-unknown", e.validClaims())

	// The refetch is held until the 49 other callers have joined it, so
	// that single-flight (not the per-minute limit) is what is tested.
	const n = 50
	e.hold, e.entered = make(chan struct{}), make(chan struct{}, n)
	var joined sync.WaitGroup
	joined.Add(n - 1)
	scoped.SetJoinHook(v, joined.Done)
	allJoined := make(chan struct{})
	go func() { joined.Wait(); close(allJoined) }()
	errs := make([]error, n)
	var done sync.WaitGroup
	for i := range n {
		done.Go(func() { _, errs[i] = v.Verify(context.Background(), stranger) })
	}
	<-e.entered
	select {
	case <-allJoined:
	case <-time.After(30 * time.Second): // a safety net, not a timing assertion
		close(e.hold)
		done.Wait()
		t.Fatalf("callers did not join the running fetch; JWKS fetches: %d", e.jwksHits.Load())
	}
	close(e.hold)
	done.Wait()

	for _, err := range errs {
		requireInvalidToken(t, err)
	}
	assert.Equal(t, int32(2), e.jwksHits.Load(), "the initial load and one refetch")
}

func TestScopedJWKSDown(t *testing.T) {
	e := newScopedEnv(t)
	v := e.verifier(t)
	tok := e.mint(t)
	e.jwksDown.Store(true)

	_, err := v.Verify(context.Background(), tok)
	requireUnavailable(t, err)
	assert.NotContains(t, err.Error(), tok)
	_, err = v.Verify(context.Background(), tok)
	requireUnavailable(t, err)
	assert.Equal(t, int32(1), e.jwksHits.Load(), "failures back off: no fetch per request")

	e.jwksDown.Store(false)
	e.clock.Advance(5 * time.Second)
	_, err = v.Verify(context.Background(), tok)
	require.NoError(t, err, "retried after the backoff")
	assert.Equal(t, int32(2), e.jwksHits.Load())

	// A failed refetch keeps the cached keys: known kids still verify, an
	// unknown one is not called invalid (it may be a key we could not load).
	e.jwksDown.Store(true)
	e.clock.Advance(time.Minute)
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	_, err = v.Verify(context.Background(), scopedForge(t, jose.RS256, priv, "kid-new", e.validClaims()))
	requireUnavailable(t, err)
	_, err = v.Verify(context.Background(), scopedForge(t, jose.RS256, priv, "kid-new", e.validClaims()))
	requireUnavailable(t, err)
	assert.Equal(t, int32(3), e.jwksHits.Load())
	_, err = v.Verify(context.Background(), e.mint(t))
	require.NoError(t, err)
}

func TestScopedJWKSRedirectNotFollowed(t *testing.T) {
	e := newScopedEnv(t)
	redirect := httptest.NewServer(http.RedirectHandler(e.srv.URL+"/.well-known/jwks.json", http.StatusFound))
	defer redirect.Close()
	v := e.verifier(t, func(c *scoped.VerifierConfig) { c.JWKSURL = redirect.URL; c.HTTPClient = &http.Client{} })
	_, err := v.Verify(context.Background(), e.mint(t))
	requireUnavailable(t, err)
	assert.Equal(t, int32(0), e.jwksHits.Load())
}

func TestScopedJWKSBodies(t *testing.T) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	pub := func(k jose.JSONWebKey) string {
		b, err := json.Marshal(k)
		require.NoError(t, err)
		return string(b)
	}
	good := pub(jose.JSONWebKey{Key: &priv.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"})
	for name, tc := range map[string]struct {
		body string
		kids []string
	}{
		"one key":          {`{"keys":[` + good + `]}`, []string{"k1"}},
		"unknown kty kept": {`{"keys":[{"kty":"XYZ","kid":"k0"},` + good + `]}`, []string{"k1"}},
		"not json":         {`<html>`, nil},
		"empty set":        {`{"keys":[]}`, nil},
		"enc key":          {`{"keys":[` + pub(jose.JSONWebKey{Key: &priv.PublicKey, KeyID: "k1", Use: "enc"}) + `]}`, nil},
		"other alg":        {`{"keys":[` + pub(jose.JSONWebKey{Key: &priv.PublicKey, KeyID: "k1", Algorithm: "PS256"}) + `]}`, nil},
		"no kid":           {`{"keys":[` + pub(jose.JSONWebKey{Key: &priv.PublicKey}) + `]}`, nil},
		"small key":        {`{"keys":[` + pub(jose.JSONWebKey{Key: &small.PublicKey, KeyID: "k1"}) + `]}`, nil},
		"duplicate kid":    {`{"keys":[` + good + `,` + good + `]}`, nil},
	} {
		t.Run(name, func(t *testing.T) {
			keys, err := scoped.ParseJWKS([]byte(tc.body))
			if tc.kids == nil {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			var got []string
			for k := range keys {
				got = append(got, k)
			}
			assert.ElementsMatch(t, tc.kids, got)
		})
	}
}
