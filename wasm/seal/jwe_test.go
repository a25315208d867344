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

// Every JWE opens step by step with the standard library and with go-jose,
// and its header is exactly alg, enc and kid. The same check runs on the
// WebCrypto cipher under Node (jsbridge/webcrypto_test.go) and in Chromium
// and Node through the npm interop test.
func TestSealMatchesRFC7516(t *testing.T) {
	a, _, _ := testKeys(t)
	k := importKid(t, &a.PublicKey, "k1", std)
	for _, p := range []string{"", "s3cret", "Société €", strings.Repeat("x", 4096)} {
		jwe, err := k.Seal([]byte(p))
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
func TestSealFreshKeyAndIV(t *testing.T) {
	a, _, _ := testKeys(t)
	k := importKid(t, &a.PublicKey, "k1", std)
	ceks, ivs := map[string]bool{}, map[string]bool{}
	for range 20 {
		jwe, err := k.Seal([]byte("same"))
		require.NoError(t, err)
		_, cek, iv := openByHand(t, a, jwe)
		assert.False(t, ceks[string(cek)], "content key reused")
		assert.False(t, ivs[string(iv)], "IV reused")
		ceks[string(cek)], ivs[string(iv)] = true, true
	}
}

// The protected header is authenticated: a JWE whose header was swapped
// (another kid, say) does not open.
func TestSealAuthenticatesHeader(t *testing.T) {
	a, _, _ := testKeys(t)
	k := importKid(t, &a.PublicKey, "k1", std)
	jwe, err := k.Seal([]byte("s3cret"))
	require.NoError(t, err)
	other := importKid(t, &a.PublicKey, "k2", std)
	forged := strings.TrimSuffix(other.prefix, ".") + jwe[strings.Index(jwe, "."):]
	obj, err := parseForTest(forged)
	require.NoError(t, err)
	_, err = obj.Decrypt(a)
	assert.Error(t, err)
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("entropy source gone") }

// Without randomness there is no seal, and no partial output.
func TestSealNeedsRandomness(t *testing.T) {
	a, _, _ := testKeys(t)
	k := importKid(t, &a.PublicKey, "k1", stdCrypto{rand: failingReader{}})
	jwe, err := k.Seal([]byte("s3cret"))
	requireCode(t, err, sberr.Internal, "cryptography failed", "entropy source gone", "nothing was sent")
	assert.Empty(t, jwe)
	k = importKid(t, &a.PublicKey, "k1", stdCrypto{rand: rand.Reader})
	_, err = k.Seal([]byte("s3cret"))
	assert.NoError(t, err)
}

// A platform error keeps its code: a page without crypto.subtle gets
// insecure_context from its first import, and no key to seal with.
func TestImportKeepsTheCryptoError(t *testing.T) {
	a, _, _ := testKeys(t)
	_, err := ImportKey(mustJSON(t, jwkMap(&a.PublicKey, "k1")), ImportOptions{}, noSubtle{})
	requireCode(t, err, sberr.InsecureContext, "https")
}

type noSubtle struct{}

func (noSubtle) SHA256([]byte) ([]byte, error) {
	return nil, sberr.New(sberr.InsecureContext, "crypto.subtle is missing; serve the page over https")
}

func (noSubtle) PublicKey(n, e []byte) (Cipher, error) {
	return nil, sberr.New(sberr.InsecureContext, "crypto.subtle is missing; serve the page over https")
}

// What the platform hands back is checked against the wire format before
// it becomes a JWE: a short wrap, a wrong IV or a missing tag is refused.
func TestSealRefusesMisshapenOutput(t *testing.T) {
	a, _, _ := testKeys(t)
	for name, c := range map[string]shapeCipher{
		"short wrap": {wrap: 255, iv: 12, extra: 16},
		"long IV":    {wrap: 256, iv: 16, extra: 16},
		"no tag":     {wrap: 256, iv: 12, extra: 0},
	} {
		k := importKid(t, &a.PublicKey, "k1", fixedCrypto{c: c})
		jwe, err := k.Seal([]byte("s3cret"))
		requireCode(t, err, sberr.Internal, "refusing to send it")
		assert.Empty(t, jwe, name)
	}
}

type shapeCipher struct{ wrap, iv, extra int }

func (c shapeCipher) EncryptAsync(aad, plaintext []byte, done func(encryptedKey, iv, sealed []byte, err error)) {
	done(make([]byte, c.wrap), make([]byte, c.iv), make([]byte, len(plaintext)+c.extra), nil)
}

type fixedCrypto struct {
	stdCrypto
	c Cipher
}

func (f fixedCrypto) PublicKey(n, e []byte) (Cipher, error) { return f.c, nil }

// A kid with characters JSON escapes still yields the exact header members.
func TestSealHeaderEscapesKid(t *testing.T) {
	a, _, _ := testKeys(t)
	for _, kid := range []string{`a"b`, `<k&>`, "é\u2028", `\`} {
		k := importKid(t, &a.PublicKey, kid, std)
		require.NoError(t, checkHeader(strings.TrimSuffix(k.prefix, "."), kid), "kid %q", kid)
	}
}
