package api

import (
	"bytes"
	"context"
	"crypto"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/wasm/client"
	"github.com/sealbridge/sealbridge/wasm/sberr"
	"github.com/sealbridge/sealbridge/wasm/seal"
)

const keyURL = "https://keys.test/v1/keys/e2e"

// thumbprintOf computes the RFC 7638 thumbprint with go-jose, independently
// of wasm/seal, so that the handle's value is checked against a second
// implementation.
func thumbprintOf(t testing.TB, k jose.JSONWebKey) string {
	t.Helper()
	tp, err := k.Thumbprint(crypto.SHA256)
	require.NoError(t, err)
	return b64url(tp)
}

func TestFetchKeyJWK(t *testing.T) {
	a, _, _ := testKeys(t)
	tr := serve(200, "application/jwk+json", mustJSON(t, jwk(&a.PublicKey, "kid-1")))
	s := New(tr, stdCrypto{})

	h, err := s.FetchKey(context.Background(), keyURL, FetchOptions{})
	require.NoError(t, err)
	assert.Equal(t, "kid-1", h.Kid)
	assert.Equal(t, 2048, h.Bits)
	assert.Equal(t, thumbprintOf(t, jose.JSONWebKey{Key: &a.PublicKey}), h.Thumbprint)

	reqs := tr.requests()
	require.Len(t, reqs, 1, "exactly one fetch")
	assert.Equal(t, "GET", reqs[0].Method)
	assert.Equal(t, keyURL, reqs[0].URL)
	assert.Contains(t, reqs[0].Headers["accept"], "application/jwk+json")
	assert.Empty(t, reqs[0].Body)

	// The key is now usable through its handle.
	_, err = s.Seal("x", h)
	require.NoError(t, err)
}

func TestFetchKeyJWKS(t *testing.T) {
	a, b, _ := testKeys(t)
	set := map[string]any{"keys": []any{jwk(&a.PublicKey, "ka"), jwk(&b.PublicKey, "kb")}}
	s := New(serve(200, "application/jwk-set+json; charset=utf-8", mustJSON(t, set)), stdCrypto{})

	h, err := s.FetchKey(context.Background(), keyURL, FetchOptions{Kid: "kb"})
	require.NoError(t, err)
	assert.Equal(t, "kb", h.Kid)
	assert.Equal(t, 2048, h.Bits)
	assert.Equal(t, thumbprintOf(t, jose.JSONWebKey{Key: &b.PublicKey}), h.Thumbprint)

	// A JWKS with a single usable key needs no kid.
	one := map[string]any{"keys": []any{jwk(&a.PublicKey, "only")}}
	h, err = New(serve(200, "application/json", mustJSON(t, one)), stdCrypto{}).FetchKey(context.Background(), keyURL, FetchOptions{})
	require.NoError(t, err)
	assert.Equal(t, "only", h.Kid)
}

func TestFetchKeyPin(t *testing.T) {
	a, b, _ := testKeys(t)
	doc := mustJSON(t, jwk(&a.PublicKey, "a"))
	pinA := thumbprintOf(t, jose.JSONWebKey{Key: &a.PublicKey})
	pinB := thumbprintOf(t, jose.JSONWebKey{Key: &b.PublicKey})

	h, err := New(serve(200, "application/json", doc), stdCrypto{}).FetchKey(context.Background(), keyURL, FetchOptions{Pin: pinA})
	require.NoError(t, err)
	assert.Equal(t, pinA, h.Thumbprint)

	s := New(serve(200, "application/json", doc), stdCrypto{})
	_, err = s.FetchKey(context.Background(), keyURL, FetchOptions{Pin: pinB})
	requireCode(t, err, sberr.KeyPinMismatch)
	// A key refused by its pin is not cached: no handle can reach it.
	_, err = s.Seal("x", KeyHandle{Kid: "a"})
	requireCode(t, err, sberr.InvalidArgument)
}

func TestFetchKeyWeakKeyIsInvalid(t *testing.T) {
	_, _, small := testKeys(t)
	s := New(serve(200, "application/json", mustJSON(t, jwk(&small.PublicKey, "weak"))), stdCrypto{})
	_, err := s.FetchKey(context.Background(), keyURL, FetchOptions{})
	requireCode(t, err, sberr.KeyInvalid)
	_, err = s.Seal("x", KeyHandle{Kid: "weak"})
	requireCode(t, err, sberr.InvalidArgument)
}

func TestFetchKeyEmptyURL(t *testing.T) {
	tr := serve(200, "application/json", []byte(`{}`))
	_, err := New(tr, stdCrypto{}).FetchKey(context.Background(), "", FetchOptions{})
	e := requireCode(t, err, sberr.InvalidArgument)
	assert.Contains(t, e.Message, "URL")
	assert.Empty(t, tr.requests(), "nothing is fetched without a URL")
}

// Every way of not getting a usable key document is key_unavailable, and
// the message names the endpoint so that the developer knows what to fix.
func TestFetchKeyUnavailable(t *testing.T) {
	a, _, _ := testKeys(t)
	good := mustJSON(t, jwk(&a.PublicKey, "a"))
	// A JSON document over 64 KiB: a valid JWK padded with whitespace, so
	// that only its size is wrong.
	oversize := append(append([]byte{}, good[:len(good)-1]...), bytes.Repeat([]byte(" "), 64<<10)...)
	oversize = append(oversize, '}')

	cases := []struct {
		name    string
		tr      *fakeTransport
		message string // a word the message must contain
	}{
		{"http 500", serve(500, "application/json", []byte(`{"code":"internal"}`)), "500"},
		{"http 404", serve(404, "application/json", good), "404"},
		{"http 302", serve(302, "", nil), "302"},
		{"html page", serve(200, "text/html; charset=utf-8", []byte("<!doctype html><h1>Maintenance</h1>")), "text/html"},
		{"bad content type", serve(200, "application/json;;", good), "not JSON"},
		{"empty body", serve(200, "application/json", nil), "empty"},
		{"truncated json", serve(200, "application/json", good[:len(good)/2]), "not valid JSON"},
		{"oversize", serve(200, "application/json", oversize), "bytes"},
		{"network error", &fakeTransport{fn: func(context.Context, *client.Request) (*client.Response, error) {
			return nil, sberr.New(sberr.NetworkError, "could not reach %s: TypeError: Failed to fetch", keyURL)
		}}, "CORS"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := New(tc.tr, stdCrypto{})
			_, err := s.FetchKey(context.Background(), keyURL, FetchOptions{})
			e := requireCode(t, err, sberr.KeyUnavailable)
			assert.Contains(t, e.Message, keyURL)
			assert.Contains(t, e.Message, tc.message)
			assert.Len(t, tc.tr.requests(), 1, "one fetch, no retry loop")
		})
	}
}

// timeoutTransport behaves like the fetch Transport against an endpoint
// that never answers: it blocks until ctx is done and then reports a
// timeout, as the Transport contract asks.
type timeoutTransport struct{ deadline chan bool }

func (tt *timeoutTransport) RoundTrip(ctx context.Context, r *client.Request) (*client.Response, error) {
	_, has := ctx.Deadline()
	tt.deadline <- has
	<-ctx.Done()
	return nil, sberr.Wrap(ctx.Err(), sberr.Timeout, "request to %s was aborted after its deadline", r.URL)
}

func TestFetchKeyTimeout(t *testing.T) {
	tt := &timeoutTransport{deadline: make(chan bool, 1)}
	s := New(tt, stdCrypto{})

	// The caller's own context has no deadline: the one that ends the
	// fetch is FetchOptions.Timeout's.
	done := make(chan error, 1)
	go func() {
		_, err := s.FetchKey(context.Background(), keyURL, FetchOptions{Timeout: 20 * time.Millisecond})
		done <- err
	}()
	require.True(t, <-tt.deadline, "FetchKey gives the transport a deadline")
	select {
	case err := <-done:
		e := requireCode(t, err, sberr.KeyUnavailable)
		assert.Contains(t, e.Message, keyURL)
		assert.Contains(t, e.Message, "time")
		assert.ErrorIs(t, err, context.DeadlineExceeded, "the cause is kept")
	case <-time.After(10 * time.Second):
		t.Fatal("FetchKey did not give up after its timeout")
	}
}

// Without FetchOptions.Timeout, the fetch still has a deadline (the
// default), so that a hanging key endpoint cannot hang the page forever.
func TestFetchKeyDefaultDeadline(t *testing.T) {
	a, _, _ := testKeys(t)
	var deadline time.Time
	var has bool
	tr := &fakeTransport{fn: func(ctx context.Context, _ *client.Request) (*client.Response, error) {
		deadline, has = ctx.Deadline()
		return &client.Response{Status: 200, Body: mustJSON(t, jwk(&a.PublicKey, "a"))}, nil
	}}
	_, err := New(tr, stdCrypto{}).FetchKey(context.Background(), keyURL, FetchOptions{})
	require.NoError(t, err)
	require.True(t, has)
	assert.WithinDuration(t, time.Now().Add(DefaultKeyTimeout), deadline, DefaultKeyTimeout/2)
}

func TestFetchKeyCallerCancel(t *testing.T) {
	tt := &timeoutTransport{deadline: make(chan bool, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := New(tt, stdCrypto{}).FetchKey(ctx, keyURL, FetchOptions{})
	requireCode(t, err, sberr.KeyUnavailable)
}

// A bad key document that did arrive intact is key_invalid, not
// key_unavailable: the endpoint answered, with the wrong thing.
func TestFetchKeyInvalidDocument(t *testing.T) {
	a, _, _ := testKeys(t)
	priv := jwk(&a.PublicKey, "a")
	priv["d"] = b64url(a.D.Bytes())
	for name, doc := range map[string][]byte{
		"private member": mustJSON(t, priv),
		"not an object":  []byte(`["kty"]`),
		"oct key":        []byte(`{"kty":"oct","kid":"x","k":"AAAA"}`),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(serve(200, "application/json", doc), stdCrypto{}).FetchKey(context.Background(), keyURL, FetchOptions{})
			e := requireCode(t, err, sberr.KeyInvalid)
			if name == "private member" {
				assert.NotContains(t, e.Message, priv["d"], "a private member is never echoed")
			}
		})
	}
}

func TestImportKeyCachesByKid(t *testing.T) {
	a, b, _ := testKeys(t)
	s := New(serve(500, "", nil), stdCrypto{})
	hA, err := s.ImportKey(mustJSON(t, jwk(&a.PublicKey, "same")), seal.ImportOptions{})
	require.NoError(t, err)
	// A rotated key that takes the same kid replaces the first in the
	// cache; the old handle must then be refused, not silently seal with
	// the new key.
	hB, err := s.ImportKey(mustJSON(t, jwk(&b.PublicKey, "same")), seal.ImportOptions{})
	require.NoError(t, err)
	require.NotEqual(t, hA.Thumbprint, hB.Thumbprint)

	_, err = s.Seal("x", hA)
	e := requireCode(t, err, sberr.InvalidArgument)
	assert.True(t, strings.Contains(e.Message, "fetchKey"), e.Message)

	jwe, err := s.Seal("x", hB)
	require.NoError(t, err)
	plain, _ := decrypt(t, b, jwe)
	assert.Equal(t, "x", string(plain))
}
