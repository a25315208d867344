package seal

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/internal/strictjson"
)

// FuzzStringArrayAsEncodingJSON holds stringArray (key_ops) to what
// encoding/json reads into a []string, which it replaced: on every array
// the strict-JSON rules accept, the same strings (null as ""), and a
// failure exactly where Unmarshal fails.
func FuzzStringArrayAsEncodingJSON(f *testing.F) {
	for _, s := range []string{`["wrapKey","encrypt"]`, `[]`, `["wrapKey",null]`, `["a",1]`, `[["a"]]`, `["\u00e9\ud83d\ude42"]`, `[{}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if strictjson.Validate(raw) != nil || strictjson.KindAt(raw) != strictjson.Array {
			return
		}
		var want []string
		wantOK := json.Unmarshal(raw, &want) == nil
		got, ok := stringArray(raw)
		require.Equal(t, wantOK, ok, "%s", raw)
		if ok {
			require.Equal(t, len(want), len(got), "%s", raw)
			for i := range want {
				require.Equal(t, want[i], got[i], "%s", raw)
			}
		}
	})
}

// TestProtectedHeaderAsEncodingJSON: the header's bytes are the ones the
// module wrote when it quoted the kid with json.Marshal.
func TestProtectedHeaderAsEncodingJSON(t *testing.T) {
	for _, kid := range []string{"k1", `a"b\c`, "<script>&amp;", "line\u2028sep\u2029", "\x00\x1f\x7f", "Société €🙂"} {
		quoted, err := json.Marshal(kid)
		require.NoError(t, err)
		want := b64url.EncodeToString([]byte(`{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":` + string(quoted) + `}`))
		require.Equal(t, want, protectedHeader(kid), kid)
		require.NoError(t, checkHeader(protectedHeader(kid), kid), kid)
	}
}
