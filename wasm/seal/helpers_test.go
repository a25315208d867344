package seal

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"io"
	"math/big"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/internal/stdcipher"
	"github.com/sealbridge/sealbridge/internal/testkeys"
	"github.com/sealbridge/sealbridge/wasm/sberr"
)

func testKeys(t testing.TB) (a, b, small *rsa.PrivateKey) {
	t.Helper()
	return testkeys.RSA()
}

// stdCrypto seals with the Go standard library (internal/stdcipher): the
// native stand-in for the page's WebCrypto. rand replaces crypto/rand.
type stdCrypto struct{ rand io.Reader }

func (stdCrypto) SHA256(data []byte) ([]byte, error) {
	sum := sha256.Sum256(data)
	return sum[:], nil
}

func (c stdCrypto) PublicKey(n, e []byte) (Cipher, error) {
	ci, err := stdcipher.New(n, e)
	if err != nil {
		return nil, err
	}
	if c.rand != nil {
		ci.Rand = c.rand
	}
	return ci, nil
}

var std = stdCrypto{}

// pubThumbprint is the RFC 7638 thumbprint of a Go public key.
func pubThumbprint(pub *rsa.PublicKey) string {
	tp, err := thumbprint(pub.N.Bytes(), big.NewInt(int64(pub.E)).Bytes(), std)
	if err != nil {
		panic(err)
	}
	return tp
}

// importKid imports pub under kid into c.
func importKid(t testing.TB, pub *rsa.PublicKey, kid string, c Crypto) *Key {
	t.Helper()
	k, err := ImportKey(mustJSON(t, jwkMap(pub, kid)), ImportOptions{}, c)
	require.NoError(t, err)
	return k
}

func b64(b []byte) string { return testkeys.B64(b) }

// jwkMap is a valid public encryption JWK for pub.
func jwkMap(pub *rsa.PublicKey, kid string) map[string]any { return testkeys.JWK(pub, kid) }

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// importA imports test key A under kid "a".
func importA(t testing.TB) (*Key, *rsa.PrivateKey) {
	t.Helper()
	a, _, _ := testKeys(t)
	k, err := ImportKey(mustJSON(t, jwkMap(&a.PublicKey, "a")), ImportOptions{}, std)
	require.NoError(t, err)
	return k, a
}

// decrypt opens a JWE with explicit algorithm allowlists, as a provider should.
func decrypt(t testing.TB, priv *rsa.PrivateKey, jwe string) []byte {
	t.Helper()
	obj, err := jose.ParseEncryptedCompact(jwe, []jose.KeyAlgorithm{jose.RSA_OAEP_256}, []jose.ContentEncryption{jose.A256GCM})
	require.NoError(t, err)
	plain, err := obj.Decrypt(priv)
	require.NoError(t, err)
	return plain
}

// requireCode asserts err is a *sberr.Error with code and a message that
// contains every fragment.
func requireCode(t testing.TB, err error, code sberr.Code, fragments ...string) {
	t.Helper()
	require.Error(t, err)
	var e *sberr.Error
	require.ErrorAs(t, err, &e, "want a *sberr.Error, got %T: %v", err, err)
	require.Equal(t, code, e.Code, "message: %s", e.Message)
	for _, f := range fragments {
		require.Contains(t, e.Message, f)
	}
	// The message names what to fix, not just what broke.
	require.True(t, strings.ContainsAny(e.Message, ";:"), "message too terse: %q", e.Message)
}

func parseForTest(jwe string) (*jose.JSONWebEncryption, error) {
	return jose.ParseEncryptedCompact(jwe, []jose.KeyAlgorithm{jose.RSA_OAEP_256}, []jose.ContentEncryption{jose.A256GCM})
}
