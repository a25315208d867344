package apierr

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// The codes both the shim and the servers use must be spelled the same:
// a page branches on e.code and on e.body.code alike.
func TestSharedCodesMatchTheShims(t *testing.T) {
	for server, shim := range map[Code]sberr.Code{
		InvalidArgument: sberr.InvalidArgument,
		PayloadTooLarge: sberr.PayloadTooLarge,
		BadResponse:     sberr.BadResponse,
		MFARequired:     sberr.MFARequired,
		ReauthRequired:  sberr.ReauthRequired,
		Internal:        sberr.Internal,
	} {
		assert.Equal(t, string(shim), string(server))
	}
}

func TestWriteSendsCodeAndMessage(t *testing.T) {
	w := httptest.NewRecorder()
	Write(w, 403, CSRF, "send the header")
	assert.Equal(t, 403, w.Code)
	assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
	assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
	var got map[string]string
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
	assert.Equal(t, map[string]string{"code": "csrf", "message": "send the header"}, got)
}
