package seal

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeStringMatchesEncodingJSON(t *testing.T) {
	for _, lit := range []string{
		`""`, `"plain"`, `"Société €🙂"`,
		`"\" \\ \/ \b \f \n \r \t"`,
		`"\u0000\u001f\u00e9\u20AC\uFFFF"`,
		`"\ud83d\ude42 \uD83D\uDE42"`,
		`"<>&\u003c\u003e\u0026\u2028\u2029"`,
		`"\\ud800"`, // an escaped backslash, then plain text
	} {
		var want string
		require.NoError(t, json.Unmarshal([]byte(lit), &want), lit)
		got, err := decodeString([]byte(lit))
		require.NoError(t, err, lit)
		assert.Equal(t, want, string(got), lit)
	}
}

func TestDecodeStringRefusesWhatEncodingJSONAlters(t *testing.T) {
	for lit, want := range map[string]error{
		`"\ud800"`:         errLoneSurrogate,
		`"\ud800x"`:        errLoneSurrogate,
		`"\ud800\u0041"`:   errLoneSurrogate,
		`"\ud800\ud800"`:   errLoneSurrogate,
		`"\udc00\ud800"`:   errLoneSurrogate,
		`"x\ud83d"`:        errLoneSurrogate,
		"\"\xff\"":         errInvalidUTF8,
		"\"\xed\xa0\x80\"": errInvalidUTF8, // a surrogate encoded as UTF-8
		"\"\xc3\"":         errInvalidUTF8,
		`"\x"`:             errBadString,
		`"\u12"`:           errBadString,
		`"\`:               errBadString,
		`x`:                errBadString,
		"\"\n\"":           errBadString,
	} {
		_, err := decodeString([]byte(lit))
		assert.Equal(t, want, err, "%q", lit)
	}
}

// FuzzDecodeString checks decodeString against encoding/json: whenever it
// accepts a literal, it must agree; and it must accept every literal that
// json.Marshal writes for a valid UTF-8 string.
func FuzzDecodeString(f *testing.F) {
	for _, s := range []string{`""`, `"a\u00e9"`, `"\ud83d\ude42"`, `"\ud800"`, "\"\xff\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, lit []byte) {
		got, err := decodeString(lit)
		var want string
		if jerr := json.Unmarshal(lit, &want); err == nil {
			require.NoError(t, jerr, "decodeString accepted what encoding/json refuses: %q", lit)
			require.Equal(t, want, string(got))
		}
		if utf8.Valid(lit) {
			s := strings.ToValidUTF8(string(lit), "")
			m, _ := json.Marshal(s)
			back, err := decodeString(m)
			require.NoError(t, err)
			require.Equal(t, s, string(back))
		}
	})
}
