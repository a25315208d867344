package seal

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

func TestSealRoundTrip(t *testing.T) {
	k, priv := importA(t)
	for _, plain := range []string{"s3cret", "", "Société €🙂", strings.Repeat("x", MaxPlaintext), "\x00\xff binary"} {
		jwe, err := k.Seal([]byte(plain))
		require.NoError(t, err)
		require.Equal(t, plain, string(decrypt(t, priv, jwe)))
		if plain != "" {
			require.NotContains(t, jwe, plain)
		}
	}
}

func TestSealJWEShape(t *testing.T) {
	k, a := importA(t)
	jwe, err := k.Seal([]byte("s3cret"))
	require.NoError(t, err)

	parts := strings.Split(jwe, ".")
	require.Len(t, parts, 5)
	part := func(i int) []byte {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		require.NoError(t, err, "part %d is not base64url without padding", i)
		return b
	}

	var header map[string]any
	require.NoError(t, json.Unmarshal(part(0), &header))
	require.Equal(t, map[string]any{"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "a"}, header,
		"the protected header must be exactly alg, enc and kid: no cty, typ or zip")
	assert.Len(t, part(1), a.Size(), "encrypted key is one RSA block")
	assert.Len(t, part(2), 12, "A256GCM IV is 96 bits")
	assert.Len(t, part(3), len("s3cret"), "GCM ciphertext is as long as the plaintext")
	assert.Len(t, part(4), 16, "A256GCM tag is 128 bits")
}

func TestSealHeaderKidIsEscapedJSON(t *testing.T) {
	a, _, _ := testKeys(t)
	kid := `k"1\<€>`
	k, err := ImportKey(mustJSON(t, jwkMap(&a.PublicKey, kid)), ImportOptions{}, std)
	require.NoError(t, err)
	jwe, err := k.Seal([]byte("x"))
	require.NoError(t, err)
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(jwe, ".")[0])
	require.NoError(t, err)
	var header map[string]string
	require.NoError(t, json.Unmarshal(raw, &header))
	require.Equal(t, kid, header["kid"])
	require.Equal(t, "x", string(decrypt(t, a, jwe)))
}

func TestSealFreshKeyAndIVPerValue(t *testing.T) {
	k, _ := importA(t)
	const n = 1000
	ivs, cts, keys := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i := 0; i < n; i++ {
		jwe, err := k.Seal([]byte("same value every time"))
		require.NoError(t, err)
		p := strings.Split(jwe, ".")
		keys[p[1]], ivs[p[2]], cts[p[3]] = true, true, true
	}
	assert.Len(t, keys, n, "encrypted content keys must all differ")
	assert.Len(t, ivs, n, "IVs must all differ")
	assert.Len(t, cts, n, "ciphertexts must all differ")
}

func TestSealConcurrent(t *testing.T) {
	// One Key, many goroutines: run under -race.
	k, priv := importA(t)
	var wg sync.WaitGroup
	results := make([]string, 16)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			jwe, err := k.Seal([]byte{byte('a' + i)})
			assert.NoError(t, err)
			results[i] = jwe
		}()
	}
	wg.Wait()
	for i, jwe := range results {
		require.Equal(t, []byte{byte('a' + i)}, decrypt(t, priv, jwe))
	}
}

func TestSealLimits(t *testing.T) {
	k, _ := importA(t)
	_, err := k.Seal(bytes.Repeat([]byte("x"), MaxPlaintext+1))
	requireCode(t, err, sberr.PayloadTooLarge, "65537 bytes", "at most 65536")

	jwe, err := k.Seal(nil)
	require.NoError(t, err, "an empty value is sealed, not sent in clear")
	require.Len(t, strings.Split(jwe, "."), 5)

	var none *Key
	_, err = none.Seal([]byte("x"))
	requireCode(t, err, sberr.InvalidArgument, "ImportKey")
	_, err = (&Key{}).Seal([]byte("x"))
	requireCode(t, err, sberr.InvalidArgument, "ImportKey")
}

func TestSealWrongKeyCannotDecrypt(t *testing.T) {
	k, _ := importA(t)
	_, b, _ := testKeys(t)
	jwe, err := k.Seal([]byte("s3cret"))
	require.NoError(t, err)
	obj, err := parseForTest(jwe)
	require.NoError(t, err)
	_, err = obj.Decrypt(b)
	require.Error(t, err)
}

// BenchmarkSeal seals a 100-byte JSON value with a key parsed once.
func BenchmarkSeal(b *testing.B) {
	k, _ := importA(b)
	value := []byte(`{"iban":"FR7630006000011234567890189","holder":"Société Générale","note":"`)
	value = append(value, bytes.Repeat([]byte("x"), 100-len(value)-2)...)
	value = append(value, `"}`...)
	if len(value) != 100 || !json.Valid(value) {
		b.Fatalf("benchmark value is %d bytes", len(value))
	}
	b.SetBytes(int64(len(value)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Seal(value); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSealParallel shows that one cached Encrypter serves concurrent callers.
func BenchmarkSealParallel(b *testing.B) {
	k, _ := importA(b)
	value := bytes.Repeat([]byte("x"), 100)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := k.Seal(value); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
