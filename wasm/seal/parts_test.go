package seal

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/internal/stdcipher"
	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// partsFor does what the page's jweParts does, with the Go standard
// library: the wrapped key, the IV and the ciphertext with its tag, end to
// end.
func partsFor(t *testing.T, k *Key, plain []byte) []byte {
	t.Helper()
	c, ok := k.Cipher().(*stdcipher.Cipher)
	require.True(t, ok)
	ek, iv, sealed, err := c.Encrypt(k.AAD(), plain)
	require.NoError(t, err)
	return append(append(ek, iv...), sealed...)
}

// The split seal writes the same standard JWE as Seal, and checks the
// parts as strictly: a short, long or cut output, or a length that does
// not match, gives no JWE.
func TestCompactParts(t *testing.T) {
	k, priv := importA(t)
	for _, p := range []string{"", "s3cret", "Société €"} {
		jwe, err := k.CompactParts(len(p), partsFor(t, k, []byte(p)))
		require.NoError(t, err)
		assert.Equal(t, p, string(decrypt(t, priv, string(jwe))))
	}
	good := partsFor(t, k, []byte("s3cret"))
	for name, tc := range map[string]struct {
		plainLen int
		parts    []byte
		code     sberr.Code
	}{
		"empty":              {6, nil, sberr.Internal},
		"key and IV only":    {6, good[:256+12], sberr.Internal},
		"no tag":             {6, good[:len(good)-16], sberr.Internal},
		"one byte more":      {6, append(append([]byte(nil), good...), 0), sberr.Internal},
		"length too short":   {5, good, sberr.Internal},
		"length too long":    {7, good, sberr.Internal},
		"negative length":    {-1, good, sberr.PayloadTooLarge},
		"over the max value": {MaxPlaintext + 1, good, sberr.PayloadTooLarge},
	} {
		jwe, err := k.CompactParts(tc.plainLen, tc.parts)
		assert.Empty(t, jwe, name)
		requireCode(t, err, tc.code)
	}
	var none *Key
	_, err := none.CompactParts(6, good)
	requireCode(t, err, sberr.InvalidArgument, "ImportKey")
}

// PlanFields then Finish is SealFields: the same document out, and the
// same refusals, word for word.
func TestFieldsPlanIsSealFields(t *testing.T) {
	k, priv := importA(t)
	doc := []byte(`{"login":"marie","password":"p@ss","n":[1,{"pin":"1234"}]}`)
	ptrs := []string{"/password", "/n/1/pin"}
	plan, err := k.PlanFields(doc, ptrs)
	require.NoError(t, err)
	values := plan.Plaintexts()
	require.Equal(t, [][]byte{[]byte("p@ss"), []byte("1234")}, values)
	parts := [][]byte{partsFor(t, k, values[0]), partsFor(t, k, values[1])}
	out, err := plan.Finish(parts)
	require.NoError(t, err)
	var got struct {
		Login, Password string
		N               []json.RawMessage
	}
	require.NoError(t, json.Unmarshal(out, &got))
	assert.Equal(t, "marie", got.Login)
	assert.Equal(t, "p@ss", string(decrypt(t, priv, got.Password)))
	var pin struct{ Pin string }
	require.NoError(t, json.Unmarshal(got.N[1], &pin))
	assert.Equal(t, "1234", string(decrypt(t, priv, pin.Pin)))

	_, err = plan.Finish(parts[:1])
	requireCode(t, err, sberr.Internal, "refusing")
	_, err = plan.Finish([][]byte{parts[0], parts[0][:100]})
	requireCode(t, err, sberr.Internal, `pointer "/n/1/pin"`)

	// Wipe leaves nothing of the document or its values in clear, escaped
	// values (decoded into copies) included.
	escaped := []byte(`{"a":"p\u0040ss","b":"plain"}`)
	wiped, err := k.PlanFields(escaped, []string{"/a", "/b"})
	require.NoError(t, err)
	values = wiped.Plaintexts()
	wiped.Wipe()
	assert.Equal(t, make([]byte, len(escaped)), escaped)
	assert.Equal(t, [][]byte{make([]byte, 4), make([]byte, 5)}, values)

	for _, tc := range sealFieldsErrorCases {
		_, want := k.SealFields(tc.doc, tc.pointers)
		_, got := k.PlanFields(tc.doc, tc.pointers)
		require.Error(t, got, tc.name)
		assert.Equal(t, want.Error(), got.Error(), tc.name)
		requireCode(t, got, tc.code, tc.frags...)
	}
}
