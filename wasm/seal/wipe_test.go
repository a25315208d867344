package seal

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/internal/strictjson"
)

// A refusal after some values were decoded wipes them: they are
// credentials, and the refusal returns them to nobody. Every way a later
// pointer can be refused once an earlier one was decoded: not found, its
// value over MaxPlaintext, the pointer past the end of an array, into a
// string.
func TestDecodeFieldsWipesWhatItDecodedOnRefusal(t *testing.T) {
	tooLarge := `"` + strings.Repeat("x", MaxPlaintext+1) + `"`
	cases := map[string]struct {
		doc      string
		pointers []string
	}{
		"second not found":            {`{"p":"s3cret","q":"pin-4829"}`, []string{"/p", "/q", "/r"}},
		"second too large":            {`{"p":"s3cret","big":` + tooLarge + `}`, []string{"/p", "/big"}},
		"third too large":             {`{"p":"s3cret","q":"pin-4829","big":` + tooLarge + `}`, []string{"/q", "/p", "/big"}},
		"array index past the end":    {`{"l":["s3cret"]}`, []string{"/l/0", "/l/1"}},
		"pointer into a string value": {`{"p":"s3cret","q":"pin-4829"}`, []string{"/q", "/p/x"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			doc := []byte(c.doc)
			root, fields, err := buildTrie(c.pointers)
			require.NoError(t, err)
			require.NoError(t, (strictjson.Limits{MaxBytes: MaxDocument}).Walk(doc, root))
			require.Error(t, decodeFields(doc, root, fields))
			decoded := 0
			for _, f := range fields {
				if len(f.plain) > 0 {
					decoded++
				}
				require.True(t, bytes.Equal(f.plain, make([]byte, len(f.plain))), "pointer %s: the decoded value %q outlives the refusal", f.ptr.raw, f.plain)
			}
			require.NotZero(t, decoded, "nothing was decoded before the refusal: this case shows nothing")
		})
	}
}

// recordingCipher hands every plaintext it is given to seen, and fails the
// seal numbered failAt (from 1; 0: none).
type recordingCipher struct {
	Cipher
	seen   *[][]byte
	failAt int
}

func (c recordingCipher) EncryptAsync(aad, plaintext []byte, done func(encryptedKey, iv, sealed []byte, err error)) {
	*c.seen = append(*c.seen, plaintext)
	if len(*c.seen) == c.failAt {
		done(nil, nil, nil, errors.New("the device is gone"))
		return
	}
	c.Cipher.EncryptAsync(aad, plaintext, done)
}

// SealFields wipes the values it decoded once their seals are done,
// sealed or failed: nothing else holds them.
func TestSealFieldsWipesTheValuesOnceSealed(t *testing.T) {
	for _, failAt := range []int{0, 1, 2} {
		k, _ := importA(t)
		var seen [][]byte
		k.cipher = recordingCipher{Cipher: k.cipher, seen: &seen, failAt: failAt}
		out, err := k.SealFields([]byte(`{"p":"s3cret","q":"pin-4829"}`), []string{"/p", "/q"})
		require.Equal(t, failAt == 0, err == nil, "failAt %d: %q, %v", failAt, out, err)
		require.Len(t, seen, 2)
		for _, plain := range seen {
			require.NotEmpty(t, plain)
			require.True(t, bytes.Equal(plain, make([]byte, len(plain))), "failAt %d: the value %q outlives its seal", failAt, plain)
		}
	}
}

// A panic while decoding (a bug; the exports recover it as internal)
// wipes the values decoded before it, as a refusal does. The second
// field's span is broken by hand, which no walk does.
func TestDecodeFieldsWipesWhatItDecodedOnAPanic(t *testing.T) {
	doc := []byte(`{"p":"s3cret","q":"pin-4829"}`)
	root, fields, err := buildTrie([]string{"/p", "/q"})
	require.NoError(t, err)
	require.NoError(t, (strictjson.Limits{MaxBytes: MaxDocument}).Walk(doc, root))
	fields[1].end = len(doc) + 10
	require.Panics(t, func() { _ = decodeFields(doc, root, fields) })
	require.NotEmpty(t, fields[0].plain, "nothing was decoded before the panic: this case shows nothing")
	require.True(t, bytes.Equal(fields[0].plain, make([]byte, len(fields[0].plain))), "the decoded value %q outlives the panic", fields[0].plain)
}
