package server

import (
	"crypto/sha256"
	"encoding/json"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/internal/stdcipher"
	"github.com/sealbridge/sealbridge/internal/strictjson"
	"github.com/sealbridge/sealbridge/internal/testkeys"
	"github.com/sealbridge/sealbridge/wasm/seal"
)

// FuzzSealerAndServerAgree feeds the same bytes to the shim's sealer
// (seal.Key.SealFields) and to the dev server's decoder for sealed bodies
// (strictjson.DecodeObject and checkSealed), and fails when they disagree
// on any member a pointer names: when the sealer accepts, the server must
// read, for each pointer, the very member the sealer sealed, and nothing
// else under that name; when the server reads each named member as one
// plain string spelled as the pointer, the sealer must not refuse.
func FuzzSealerAndServerAgree(f *testing.F) {
	for _, body := range twinBodies("x") {
		f.Add([]byte(body), uint8(3))
	}
	f.Add([]byte(`{"id_connector":59,"login":"alice","password":"hunter2"}`), uint8(3))
	f.Add([]byte(`{"login":"a","password":{"x":"y"}}`), uint8(1))
	f.Add([]byte(`{"Login":"a","password":"b"} `), uint8(2))
	priv, _, _ := testkeys.RSA()
	jwk, err := json.Marshal(testkeys.JWK(&priv.PublicKey, "fuzz"))
	require.NoError(f, err)
	key, err := seal.ImportKey(jwk, seal.ImportOptions{}, stdCrypto{})
	require.NoError(f, err)

	f.Fuzz(func(t *testing.T, doc []byte, which uint8) {
		if len(doc) > maxConnectionBody {
			return // the server's size bound is its own; the rules are shared
		}
		names := pointedFields(which)
		pointers := make([]string, len(names))
		for i, n := range names {
			pointers[i] = "/" + n
		}
		out, sealErr := key.SealFields(doc, pointers)
		in, readErr := strictjson.Limits{MaxBytes: maxConnectionBody}.DecodeObject(doc)
		if sealErr != nil {
			require.False(t, readErr == nil && plainlyReadable(in, names),
				"the server reads every pointed member plainly but the sealer refused: %v", sealErr)
			return
		}
		require.NoError(t, readErr, "the sealer accepted what the server's rule set refuses")
		sealed, err := strictjson.DecodeObject(out)
		require.NoError(t, err, "the server cannot read the sealer's output")
		for _, n := range names {
			before, asWritten, ok := in.Lookup(n)
			require.True(t, ok && asWritten == n, "the sealer sealed %q but the server reads it as %q", n, asWritten)
			after, asWritten, ok := sealed.Lookup(n)
			require.True(t, ok && asWritten == n)
			var plain, jwe string
			require.NoError(t, json.Unmarshal(before, &plain))
			require.NoError(t, json.Unmarshal(after, &jwe))
			require.Equal(t, plain, openJWE(t, priv, jwe), "the server reads another member than the one sealed")
		}
		if len(names) == len(sealedFields) {
			msg, ok := checkSealed(out)
			require.True(t, ok, "the server's check refuses what the sealer sealed: %s", msg)
		}
	})
}

// pointedFields picks which sealed fields the sealer is asked to seal.
func pointedFields(which uint8) []string {
	var names []string
	for i, n := range sealedFields {
		if which&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	if names == nil {
		names = []string{"password"}
	}
	return names
}

// plainlyReadable reports whether each named member is one string, spelled
// exactly as the name and small enough to seal.
func plainlyReadable(m strictjson.Members, names []string) bool {
	for _, n := range names {
		raw, asWritten, ok := m.Lookup(n)
		var s string
		if !ok || asWritten != n || json.Unmarshal(raw, &s) != nil || len(s) > seal.MaxPlaintext {
			return false
		}
	}
	return true
}

// stdCrypto seals natively (internal/stdcipher), where the page would use
// WebCrypto.
type stdCrypto struct{}

func (stdCrypto) SHA256(data []byte) ([]byte, error) {
	sum := sha256.Sum256(data)
	return sum[:], nil
}

func (stdCrypto) PublicKey(n, e []byte) (seal.Cipher, error) { return stdcipher.New(n, e) }

func openJWE(t *testing.T, priv any, compact string) string {
	t.Helper()
	obj, err := jose.ParseEncryptedCompact(compact, []jose.KeyAlgorithm{jose.RSA_OAEP_256}, []jose.ContentEncryption{jose.A256GCM})
	require.NoError(t, err)
	plain, err := obj.Decrypt(priv)
	require.NoError(t, err)
	return string(plain)
}
