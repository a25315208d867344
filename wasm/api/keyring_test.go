package api

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/wasm/client"
	"github.com/sealbridge/sealbridge/wasm/descriptor"
	"github.com/sealbridge/sealbridge/wasm/sberr"
	"github.com/sealbridge/sealbridge/wasm/seal"
)

// rotatingProvider serves the current key at https://keys.test and, as the
// intermediary, accepts a body whose /iban was sealed with a kid it knows,
// decrypting it; anything else gets the provider's unknown_kid answer.
type rotatingProvider struct {
	t       *testing.T
	mu      sync.Mutex
	served  []byte                     // the key document served now
	known   map[string]*rsa.PrivateKey // kid -> key the provider decrypts with
	fetches atomic.Int32
	sends   atomic.Int32
	ibans   []string // what the provider decrypted
}

func (p *rotatingProvider) RoundTrip(_ context.Context, r *client.Request) (*client.Response, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if strings.HasPrefix(r.URL, "https://keys.test") {
		p.fetches.Add(1)
		return &client.Response{Status: 200, Headers: map[string]string{"content-type": "application/json"}, Body: p.served}, nil
	}
	p.sends.Add(1)
	d := proxied(p.t, *r)
	var payload struct {
		IBAN string `json:"iban"`
	}
	require.NoError(p.t, json.Unmarshal(d["payload"], &payload))
	status, body := 400, `{"code":"unknown_kid","message":"unknown kid"}`
	for kid, priv := range p.known {
		if jweKid(p.t, payload.IBAN) == kid {
			plain, _ := decrypt(p.t, priv, payload.IBAN)
			p.ibans = append(p.ibans, string(plain))
			status, body = 201, `{"ok":true}`
		}
	}
	env, err := descriptor.EncodeResponse(descriptor.Response{Headers: map[string]string{}, Body: json.RawMessage(body)})
	require.NoError(p.t, err)
	return &client.Response{Status: status, Body: []byte(env)}, nil
}

func jweKid(t *testing.T, jwe string) string {
	var h struct {
		Kid string `json:"kid"`
	}
	head, _, _ := strings.Cut(jwe, ".")
	raw, err := base64.RawURLEncoding.DecodeString(head)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &h))
	return h.Kid
}

// rotated returns a client sealing with key "a", fetched from
// https://keys.test, after the provider has rotated to key "b": the key
// endpoint serves b and the provider no longer knows a.
func rotated(t *testing.T) (*Shim, int, *rotatingProvider) {
	a, b, _ := testKeys(t)
	p := &rotatingProvider{t: t, served: mustJSON(t, jwk(&a.PublicKey, "a")), known: map[string]*rsa.PrivateKey{"a": a}}
	s := New(p, stdCrypto{})
	h, err := s.FetchKey(context.Background(), "https://keys.test/e2e", FetchOptions{})
	require.NoError(t, err)
	id, err := s.CreateClient(proxyOptions("", &h))
	require.NoError(t, err)
	p.mu.Lock()
	p.served, p.known = mustJSON(t, jwk(&b.PublicKey, "b")), map[string]*rsa.PrivateKey{"b": b}
	p.mu.Unlock()
	p.fetches.Store(0)
	return s, id, p
}

func sealedCall() client.Call {
	return client.Call{Method: "POST", Path: "/v2/sepa/beneficiaries", Body: json.RawMessage(`{"iban":"FR76 canary"}`), Seal: []string{"/iban"}}
}

func TestRotatedKeyOneFetchOneResealCallSucceeds(t *testing.T) {
	s, id, p := rotated(t)
	res, err := s.Request(context.Background(), id, sealedCall())
	require.NoError(t, err)
	assert.Equal(t, 201, res.Status)
	assert.Equal(t, int32(1), p.fetches.Load(), "one key fetch")
	assert.Equal(t, int32(2), p.sends.Load(), "one refused send, one retry")
	assert.Equal(t, []string{"FR76 canary"}, p.ibans, "resealed from the original value, with the new key")

	// The client keeps the new key: the next call needs no fetch.
	_, err = s.Request(context.Background(), id, sealedCall())
	require.NoError(t, err)
	assert.Equal(t, int32(1), p.fetches.Load())
	assert.Equal(t, int32(3), p.sends.Load())
}

func TestRotatedKeyFiftyConcurrentCallsOneFetch(t *testing.T) {
	s, id, p := rotated(t)
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Request(context.Background(), id, sealedCall())
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int32(1), p.fetches.Load(), "one key fetch for every refused call")
	assert.LessOrEqual(t, p.sends.Load(), int32(2*n), "at most one retry each")
	assert.Len(t, p.ibans, n)
}

func TestProviderThatKeepsRefusingGetsOneRetryThenKeyUnknown(t *testing.T) {
	s, id, p := rotated(t)
	p.mu.Lock()
	p.known = nil // refuses every kid, the new one too
	p.mu.Unlock()
	_, err := s.Request(context.Background(), id, sealedCall())
	e := requireCode(t, err, sberr.KeyUnknown)
	assert.Equal(t, 400, e.Status)
	assert.Equal(t, int32(1), p.fetches.Load())
	assert.Equal(t, int32(2), p.sends.Load(), "one retry, then the error: no loop")
}

func TestKeyEndpointStillServingTheRefusedKeySendsNoRetry(t *testing.T) {
	s, id, p := rotated(t)
	a, _, _ := testKeys(t)
	p.mu.Lock()
	p.served = mustJSON(t, jwk(&a.PublicKey, "a"))
	p.mu.Unlock()
	_, err := s.Request(context.Background(), id, sealedCall())
	e := requireCode(t, err, sberr.KeyUnknown)
	assert.Contains(t, e.Message, "still serves it")
	assert.Equal(t, int32(1), p.sends.Load())
}

func TestImportedKeyIsNotRefetched(t *testing.T) {
	a, _, _ := testKeys(t)
	p := &rotatingProvider{t: t}
	s := New(p, stdCrypto{})
	h, err := s.ImportKey(mustJSON(t, jwk(&a.PublicKey, "a")), seal.ImportOptions{})
	require.NoError(t, err)
	id, err := s.CreateClient(proxyOptions("", &h))
	require.NoError(t, err)
	_, err = s.Request(context.Background(), id, sealedCall())
	e := requireCode(t, err, sberr.KeyUnknown)
	assert.Contains(t, e.Message, "fetchKey")
	assert.Zero(t, p.fetches.Load())
	assert.Equal(t, int32(1), p.sends.Load())
}
