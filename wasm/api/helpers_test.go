package api

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"sync"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/internal/stdcipher"
	"github.com/sealbridge/sealbridge/internal/testkeys"
	"github.com/sealbridge/sealbridge/wasm/client"
	"github.com/sealbridge/sealbridge/wasm/sberr"
	"github.com/sealbridge/sealbridge/wasm/seal"
)

// stdCrypto seals with the Go standard library: the native stand-in for
// the page's WebCrypto.
type stdCrypto struct{}

func (stdCrypto) SHA256(data []byte) ([]byte, error) {
	sum := sha256.Sum256(data)
	return sum[:], nil
}

func (stdCrypto) PublicKey(n, e []byte) (seal.Cipher, error) {
	c, err := stdcipher.New(n, e)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func testKeys(t testing.TB) (a, b, small *rsa.PrivateKey) {
	t.Helper()
	return testkeys.RSA()
}

func b64url(b []byte) string { return testkeys.B64(b) }

// jwk is a valid public encryption JWK for pub.
func jwk(pub *rsa.PublicKey, kid string) map[string]any { return testkeys.JWK(pub, kid) }

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// fakeTransport records every request and answers with fn.
type fakeTransport struct {
	mu   sync.Mutex
	reqs []client.Request
	fn   func(ctx context.Context, r *client.Request) (*client.Response, error)
}

func (f *fakeTransport) RoundTrip(ctx context.Context, r *client.Request) (*client.Response, error) {
	f.mu.Lock()
	cp := *r
	cp.Body = append([]byte(nil), r.Body...)
	f.reqs = append(f.reqs, cp)
	f.mu.Unlock()
	return f.fn(ctx, r)
}

func (f *fakeTransport) requests() []client.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]client.Request(nil), f.reqs...)
}

// serve answers every request with status, content type and body.
func serve(status int, contentType string, body []byte) *fakeTransport {
	return &fakeTransport{fn: func(context.Context, *client.Request) (*client.Response, error) {
		h := map[string]string{}
		if contentType != "" {
			h["content-type"] = contentType
		}
		return &client.Response{Status: status, Headers: h, Body: body}, nil
	}}
}

// shimWithKey returns a Shim holding test key A under kid "a".
func shimWithKey(t *testing.T, tr client.Transport) (*Shim, KeyHandle, *rsa.PrivateKey) {
	t.Helper()
	a, _, _ := testKeys(t)
	if tr == nil {
		tr = serve(200, "application/json", mustJSON(t, jwk(&a.PublicKey, "a")))
	}
	s := New(tr, stdCrypto{})
	h, err := s.FetchKey(context.Background(), "https://keys.test/e2e", FetchOptions{})
	require.NoError(t, err)
	return s, h, a
}

// decrypt opens a JWE the way a provider should: with explicit algorithm
// allowlists. It also returns the protected header's kid.
func decrypt(t testing.TB, priv *rsa.PrivateKey, jwe string) (plain []byte, kid string) {
	t.Helper()
	obj, err := jose.ParseEncryptedCompact(jwe, []jose.KeyAlgorithm{jose.RSA_OAEP_256}, []jose.ContentEncryption{jose.A256GCM})
	require.NoError(t, err)
	plain, err = obj.Decrypt(priv)
	require.NoError(t, err)
	return plain, obj.Header.KeyID
}

func requireCode(t testing.TB, err error, code sberr.Code) *sberr.Error {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, code, sberr.CodeOf(err), "error: %v", err)
	return sberr.As(err)
}
