package api

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/wasm/sberr"
	"github.com/sealbridge/sealbridge/wasm/seal"
)

func TestSealRoundTrip(t *testing.T) {
	s, h, priv := shimWithKey(t, nil)
	for _, v := range []string{"s3cret", "", "Société €"} {
		jwe, err := s.Seal(v, h)
		require.NoError(t, err)
		plain, kid := decrypt(t, priv, jwe)
		assert.Equal(t, v, string(plain))
		assert.Equal(t, "a", kid)
		if v != "" {
			assert.NotContains(t, jwe, v)
		}
	}
	// A fresh content key and IV every time.
	j1, err := s.Seal("same", h)
	require.NoError(t, err)
	j2, err := s.Seal("same", h)
	require.NoError(t, err)
	assert.NotEqual(t, j1, j2)
}

// A handle that names no cached key, or a cached kid with another key's
// thumbprint, is refused: the shim never seals with a key the caller did
// not ask for.
func TestSealUnknownHandle(t *testing.T) {
	s, h, _ := shimWithKey(t, nil)
	_, other, _ := testKeys(t)
	otherHandle, err := New(serve(500, "", nil), stdCrypto{}).ImportKey(mustJSON(t, jwk(&other.PublicKey, "a")), seal.ImportOptions{})
	require.NoError(t, err)
	require.Equal(t, h.Kid, otherHandle.Kid)

	for name, bad := range map[string]KeyHandle{
		"unknown kid":      {Kid: "nope", Thumbprint: h.Thumbprint, Bits: 2048},
		"zero handle":      {},
		"wrong thumbprint": otherHandle,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.Seal("s3cret", bad)
			e := requireCode(t, err, sberr.InvalidArgument)
			assert.Contains(t, e.Message, "fetchKey")
			assert.NotContains(t, e.Message, "s3cret")

			_, err = s.SealFields([]byte(`{"password":"s3cret"}`), []string{"/password"}, bad)
			e = requireCode(t, err, sberr.InvalidArgument)
			assert.NotContains(t, e.Message, "s3cret")
		})
	}
}

func TestSealFieldsRoundTrip(t *testing.T) {
	s, h, priv := shimWithKey(t, nil)
	doc := []byte(`{"login":"alice","password":"hunter2","nested":{"pin":"1234"},"id_connector":59}`)
	out, err := s.SealFields(doc, []string{"/password", "/nested/pin"}, h)
	require.NoError(t, err)
	assert.NotContains(t, string(out), "hunter2")
	assert.NotContains(t, string(out), "1234")

	var got struct {
		Login       string               `json:"login"`
		Password    string               `json:"password"`
		Nested      struct{ Pin string } `json:"nested"`
		IDConnector int                  `json:"id_connector"`
	}
	require.NoError(t, json.Unmarshal(out, &got))
	assert.Equal(t, "alice", got.Login, "fields not named stay as they are")
	assert.Equal(t, 59, got.IDConnector)
	p, _ := decrypt(t, priv, got.Password)
	assert.Equal(t, "hunter2", string(p))
	p, _ = decrypt(t, priv, got.Nested.Pin)
	assert.Equal(t, "1234", string(p))
}

func TestSealFieldsNeedsPointers(t *testing.T) {
	s, h, _ := shimWithKey(t, nil)
	for _, ptrs := range [][]string{nil, {}} {
		out, err := s.SealFields([]byte(`{"password":"hunter2"}`), ptrs, h)
		e := requireCode(t, err, sberr.InvalidArgument)
		assert.Contains(t, e.Message, "/password", "the message shows what a pointer looks like")
		assert.Nil(t, out, "nothing comes back in clear")
	}
}

func TestSealFieldsMissingTargetIsRefused(t *testing.T) {
	s, h, _ := shimWithKey(t, nil)
	out, err := s.SealFields([]byte(`{"login":"alice"}`), []string{"/password"}, h)
	requireCode(t, err, sberr.InvalidArgument)
	assert.Nil(t, out)
}
