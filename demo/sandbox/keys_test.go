package sandbox

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parseJWK parses one served JWK.
func parseJWK(t *testing.T, raw []byte) jose.JSONWebKey {
	t.Helper()
	var k jose.JSONWebKey
	require.NoError(t, json.Unmarshal(raw, &k), "body: %s", raw)
	return k
}

func TestKeyEndpointServesPublicJWKOnly(t *testing.T) {
	s, srv := newTestSandbox(t, Config{})
	res, body := doRequest(t, srv, http.MethodGet, KeyPath, nil, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	assert.Equal(t, "application/json", res.Header.Get("Content-Type"))

	var members map[string]any
	require.NoError(t, json.Unmarshal(body, &members))
	names := make([]string, 0, len(members))
	for k := range members {
		names = append(names, k)
	}
	slices.Sort(names)
	assert.Equal(t, []string{"alg", "e", "kid", "kty", "n", "use"}, names, "exactly the public members")
	assert.Equal(t, "RSA", members["kty"])
	assert.Equal(t, "enc", members["use"])
	assert.Equal(t, "RSA-OAEP-256", members["alg"])
	assert.Equal(t, "AQAB", members["e"])
	assert.Regexp(t, regexp.MustCompile(`^sbx-[0-9a-f]{8}$`), members["kid"])
	assert.Equal(t, s.KeyID(), members["kid"])

	k := parseJWK(t, body)
	pub, ok := k.Key.(*rsa.PublicKey)
	require.True(t, ok, "an RSA public key")
	assert.Equal(t, 2048, pub.N.BitLen())
	assert.Equal(t, 65537, pub.E)
	assert.Equal(t, 1, s.KeyFetches())
}

// The first key is made when something needs it, once: before that the
// ring holds no key (and opens nothing); a rotation first keeps nothing.
func TestKeyIsMadeOnFirstUse(t *testing.T) {
	s, srv := newTestSandbox(t, Config{})
	assert.Nil(t, s.keys.current.priv, "a key was made before anything needed one")
	_, ok := s.keys.lookup("")
	assert.False(t, ok, "an empty kid names a key")

	res, body := doRequest(t, srv, http.MethodGet, KeyPath, nil, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	served := parseJWK(t, body).KeyID
	assert.Equal(t, served, s.KeyID(), "the key served is the ring's current key")
	_, ok = s.keys.lookup(served)
	assert.True(t, ok)

	fresh, _ := newTestSandbox(t, Config{})
	kid, err := fresh.RotateKey(time.Hour)
	require.NoError(t, err)
	assert.Equal(t, kid, fresh.KeyID())
	assert.Empty(t, fresh.keys.previous, "a rotation before any key kept an empty one")
}

func TestKeyEndpointJWKSKeepsRotatedKeyForGrace(t *testing.T) {
	clock := newTestClock()
	s, srv := newTestSandbox(t, Config{Now: clock.Now})
	oldKid := s.KeyID()
	newKid, err := s.RotateKey(5 * time.Minute)
	require.NoError(t, err)
	require.NotEqual(t, oldKid, newKid)
	assert.Equal(t, newKid, s.KeyID())

	kids := func() []string {
		res, body := doRequest(t, srv, http.MethodGet, KeyPath+"?format=jwks", nil, nil)
		require.Equal(t, http.StatusOK, res.StatusCode)
		var set jose.JSONWebKeySet
		require.NoError(t, json.Unmarshal(body, &set))
		var out []string
		for _, k := range set.Keys {
			require.True(t, k.IsPublic())
			out = append(out, k.KeyID)
		}
		return out
	}
	assert.Equal(t, []string{newKid, oldKid}, kids(), "current first, then the key in grace")

	// The single-JWK form serves only the current key.
	_, body := doRequest(t, srv, http.MethodGet, KeyPath, nil, nil)
	assert.Equal(t, newKid, parseJWK(t, body).KeyID)

	clock.Advance(5*time.Minute - time.Second)
	assert.Equal(t, []string{newKid, oldKid}, kids())
	clock.Advance(time.Second)
	assert.Equal(t, []string{newKid}, kids(), "grace over")
	assert.Equal(t, 4, s.KeyFetches())
}

func TestRotateKeyGraceZeroAndDefault(t *testing.T) {
	clock := newTestClock()
	s, _ := newTestSandbox(t, Config{Now: clock.Now, Keys: KeysConfig{Grace: time.Hour}})
	first := s.KeyID()
	_, err := s.RotateKey(0)
	require.NoError(t, err)
	_, ok := s.keys.lookup(first)
	assert.False(t, ok, "grace 0 drops the old key at once")

	second := s.KeyID()
	_, err = s.RotateKey(-1) // KeysConfig.Grace
	require.NoError(t, err)
	clock.Advance(time.Hour - time.Nanosecond)
	_, ok = s.keys.lookup(second)
	assert.True(t, ok)
	clock.Advance(time.Nanosecond)
	_, ok = s.keys.lookup(second)
	assert.False(t, ok)
}

func TestKeyEndpointRejectsUnknownFormat(t *testing.T) {
	_, srv := newTestSandbox(t, Config{})
	res, body := doRequest(t, srv, http.MethodGet, KeyPath+"?format=pem", nil, nil)
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Equal(t, "invalid_request", apiErrorOf(t, body).Code)
}

func TestKeyEndpointCORSOnlyForAllowedOrigins(t *testing.T) {
	const allowed = "http://127.0.0.1:8080"
	_, srv := newTestSandbox(t, Config{Keys: KeysConfig{AllowedOrigins: []string{allowed}}})
	for _, tc := range []struct {
		origin, want string
	}{
		{allowed, allowed},
		{"http://127.0.0.1:9999", ""},
		{"null", ""},
		{"", ""},
	} {
		h := http.Header{}
		if tc.origin != "" {
			h.Set("Origin", tc.origin)
		}
		res, _ := doRequest(t, srv, http.MethodGet, KeyPath, h, nil)
		assert.Equal(t, http.StatusOK, res.StatusCode)
		assert.Equal(t, tc.want, res.Header.Get("Access-Control-Allow-Origin"), "origin %q", tc.origin)
		assert.Contains(t, res.Header.Values("Vary"), "Origin")
		assert.Empty(t, res.Header.Get("Access-Control-Allow-Credentials"))
	}

	h := http.Header{"Origin": {allowed}, "Access-Control-Request-Method": {"GET"}}
	res, _ := doRequest(t, srv, http.MethodOptions, KeyPath, h, nil)
	assert.Equal(t, http.StatusNoContent, res.StatusCode)
	assert.Equal(t, allowed, res.Header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "GET", res.Header.Get("Access-Control-Allow-Methods"))

	h.Set("Origin", "http://127.0.0.1:9999")
	res, _ = doRequest(t, srv, http.MethodOptions, KeyPath, h, nil)
	assert.Empty(t, res.Header.Get("Access-Control-Allow-Origin"))
}

func TestKeysConfigRefusesUnsafeSettings(t *testing.T) {
	for name, kc := range map[string]KeysConfig{
		"weak bits":         {Bits: 1024},
		"wildcard origin":   {AllowedOrigins: []string{"*"}},
		"origin with path":  {AllowedOrigins: []string{"http://127.0.0.1:8080/"}},
		"origin no scheme":  {AllowedOrigins: []string{"127.0.0.1:8080"}},
		"sealed id":         {Sensitive: []string{"id_connector"}},
		"sealed empty name": {Sensitive: []string{""}},
	} {
		_, err := New(Config{Keys: kc})
		assert.Error(t, err, name)
	}
}

func TestKeyFaults(t *testing.T) {
	s, srv := newTestSandbox(t, Config{})
	_, good := doRequest(t, srv, http.MethodGet, KeyPath, nil, nil)

	t.Run("500", func(t *testing.T) {
		s.SetKeyFault(KeyHTTP500)
		res, body := doRequest(t, srv, http.MethodGet, KeyPath, nil, nil)
		assert.Equal(t, http.StatusInternalServerError, res.StatusCode)
		assert.Equal(t, "internal", apiErrorOf(t, body).Code)
	})
	t.Run("html", func(t *testing.T) {
		s.SetKeyFault(KeyHTML)
		res, body := doRequest(t, srv, http.MethodGet, KeyPath, nil, nil)
		assert.Equal(t, http.StatusOK, res.StatusCode)
		assert.Contains(t, res.Header.Get("Content-Type"), "text/html")
		assert.False(t, json.Valid(body))
	})
	t.Run("weak", func(t *testing.T) {
		s.SetKeyFault(KeyWeak1024)
		res, body := doRequest(t, srv, http.MethodGet, KeyPath, nil, nil)
		assert.Equal(t, http.StatusOK, res.StatusCode)
		k := parseJWK(t, body)
		assert.Equal(t, 1024, k.Key.(*rsa.PublicKey).N.BitLen())
		assert.NotEqual(t, s.KeyID(), k.KeyID)
		_, ok := s.keys.lookup(k.KeyID)
		assert.False(t, ok, "nothing sealed with the weak key is ever accepted")
		_, set := doRequest(t, srv, http.MethodGet, KeyPath+"?format=jwks", nil, nil)
		assert.Contains(t, string(set), k.KeyID)
		assert.NotContains(t, string(set), s.KeyID())
	})
	t.Run("truncated", func(t *testing.T) {
		s.SetKeyFault(KeyTruncated)
		res, body := doRequest(t, srv, http.MethodGet, KeyPath, nil, nil)
		assert.Equal(t, http.StatusOK, res.StatusCode)
		assert.False(t, json.Valid(body))
		assert.NotEmpty(t, body)
		assert.Equal(t, string(good[:len(body)]), string(body), "a prefix of the real key")
	})
}

// A hanging key endpoint holds the request until the client gives up, or
// until the fault is cleared (then 503: the answer it was holding is gone).
func TestKeyFaultHang(t *testing.T) {
	s, srv := newTestSandbox(t, Config{})
	_, good := doRequest(t, srv, http.MethodGet, KeyPath, nil, nil)
	t.Run("hang until cancelled", func(t *testing.T) {
		s.SetKeyFault(KeyHang)
		before := s.KeyFetches()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+KeyPath, nil)
			res, err := srv.Client().Do(req)
			if err == nil {
				res.Body.Close()
			}
			done <- err
		}()
		require.Eventually(t, func() bool { return s.KeyFetches() == before+1 }, 10*time.Second, time.Millisecond)
		select {
		case err := <-done:
			t.Fatalf("answered while hanging: %v", err)
		default:
		}
		cancel()
		assert.True(t, errors.Is(<-done, context.Canceled))
	})
	t.Run("hang released by clearing the fault", func(t *testing.T) {
		s.SetKeyFault(KeyHang)
		before := s.KeyFetches()
		done := make(chan int, 1)
		go func() {
			res, err := srv.Client().Get(srv.URL + KeyPath)
			if err != nil {
				done <- 0
				return
			}
			res.Body.Close()
			done <- res.StatusCode
		}()
		require.Eventually(t, func() bool { return s.KeyFetches() == before+1 }, 10*time.Second, time.Millisecond)
		s.SetKeyFault(KeyOK)
		assert.Equal(t, http.StatusServiceUnavailable, <-done)
	})
	t.Run("ok again", func(t *testing.T) {
		s.SetKeyFault(KeyOK)
		res, body := doRequest(t, srv, http.MethodGet, KeyPath, nil, nil)
		assert.Equal(t, http.StatusOK, res.StatusCode)
		assert.JSONEq(t, string(good), string(body))
	})
}

// KeyNoCORS serves the real key without the CORS grant, even to an allowed
// origin: what a browser page sees as a network failure.
func TestKeyFaultNoCORS(t *testing.T) {
	const allowed = "http://127.0.0.1:8080"
	s, srv := newTestSandbox(t, Config{Keys: KeysConfig{AllowedOrigins: []string{allowed}}})
	s.SetKeyFault(KeyNoCORS)
	res, body := doRequest(t, srv, http.MethodGet, KeyPath, http.Header{"Origin": {allowed}}, nil)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Empty(t, res.Header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, s.KeyID(), parseJWK(t, body).KeyID, "the body is the real key")
}
