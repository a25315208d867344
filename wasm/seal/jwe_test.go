package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// openByHand decrypts a compact JWE with the standard library only, step by
// step as RFC 7516 says, independently of go-jose (which the other tests
// use) and of the sealer. It returns the parts for inspection.
func openByHand(t *testing.T, priv *rsa.PrivateKey, jwe string) (plain, cek, iv []byte) {
	t.Helper()
	parts := strings.Split(jwe, ".")
	require.Len(t, parts, 5, "compact serialization has five parts")
	dec := func(s string) []byte {
		b, err := base64.RawURLEncoding.Strict().DecodeString(s)
		require.NoError(t, err, "base64url without padding: %q", s)
		return b
	}
	wrapped, iv, ct, tag := dec(parts[1]), dec(parts[2]), dec(parts[3]), dec(parts[4])
	require.Len(t, wrapped, priv.Size(), "the wrapped key is one RSA block")
	require.Len(t, iv, 12, "A256GCM uses a 96-bit IV")
	require.Len(t, tag, 16, "A256GCM uses a 128-bit tag")
	cek, err := rsa.DecryptOAEP(sha256.New(), nil, priv, wrapped, nil)
	require.NoError(t, err, "RSA-OAEP with SHA-256 and MGF1-SHA-256, no label")
	require.Len(t, cek, 32, "A256GCM uses a 256-bit key")
	block, err := aes.NewCipher(cek)
	require.NoError(t, err)
	gcm, err := cipher.NewGCM(block)
	require.NoError(t, err)
	// The AAD is the ASCII of the encoded protected header (RFC 7516 5.1).
	plain, err = gcm.Open(nil, iv, append(ct, tag...), []byte(parts[0]))
	require.NoError(t, err)
	return plain, cek, iv
}

func TestEncrypterMatchesRFC7516(t *testing.T) {
	a, _, _ := testKeys(t)
	e, err := newEncrypter(&a.PublicKey, "k1")
	require.NoError(t, err)
	for _, p := range []string{"", "s3cret", "Société €", strings.Repeat("x", 4096)} {
		jwe, err := e.encrypt([]byte(p))
		require.NoError(t, err)
		plain, _, _ := openByHand(t, a, jwe)
		assert.Equal(t, p, string(plain))
		assert.Equal(t, p, string(decrypt(t, a, jwe)), "go-jose opens it too")
		header, err := base64.RawURLEncoding.DecodeString(strings.SplitN(jwe, ".", 2)[0])
		require.NoError(t, err)
		assert.Equal(t, `{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"k1"}`, string(header))
	}
}

// Every seal draws a new content key and IV: reusing an IV with one GCM key
// would leak the XOR of plaintexts.
func TestEncrypterFreshKeyAndIV(t *testing.T) {
	a, _, _ := testKeys(t)
	e, err := newEncrypter(&a.PublicKey, "k1")
	require.NoError(t, err)
	ceks, ivs := map[string]bool{}, map[string]bool{}
	for range 20 {
		jwe, err := e.encrypt([]byte("same"))
		require.NoError(t, err)
		_, cek, iv := openByHand(t, a, jwe)
		assert.False(t, ceks[string(cek)], "content key reused")
		assert.False(t, ivs[string(iv)], "IV reused")
		ceks[string(cek)], ivs[string(iv)] = true, true
	}
}

// The protected header is authenticated: a JWE whose header was swapped
// (another kid, say) does not open.
func TestEncrypterAuthenticatesHeader(t *testing.T) {
	a, _, _ := testKeys(t)
	e, err := newEncrypter(&a.PublicKey, "k1")
	require.NoError(t, err)
	jwe, err := e.encrypt([]byte("s3cret"))
	require.NoError(t, err)
	other, err := newEncrypter(&a.PublicKey, "k2")
	require.NoError(t, err)
	forged := other.header + jwe[strings.Index(jwe, "."):]
	obj, err := parseForTest(forged)
	require.NoError(t, err)
	_, err = obj.Decrypt(a)
	assert.Error(t, err)
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("entropy source gone") }

// Without randomness there is no seal, and no partial output.
func TestEncrypterNeedsRandomness(t *testing.T) {
	a, _, _ := testKeys(t)
	e, err := newEncrypter(&a.PublicKey, "k1")
	require.NoError(t, err)
	e.rand = failingReader{}
	jwe, err := e.encrypt([]byte("s3cret"))
	requireCode(t, err, sberr.Internal, "random")
	assert.Empty(t, jwe)
	e.rand = rand.Reader
	_, err = e.encrypt([]byte("s3cret"))
	assert.NoError(t, err)
}

// A kid with characters JSON escapes still yields the exact header members.
func TestEncrypterHeaderEscapesKid(t *testing.T) {
	a, _, _ := testKeys(t)
	for _, kid := range []string{`a"b`, `<k&>`, "é\u2028", `\`} {
		e, err := newEncrypter(&a.PublicKey, kid)
		require.NoError(t, err)
		require.NoError(t, checkHeader(e.header, kid), "kid %q", kid)
	}
}
