package strictjson

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// FuzzUnquote checks Unquote against encoding/json: whenever it accepts a
// literal, it must agree; and it must accept every literal that
// json.Marshal writes for a valid UTF-8 string.
func FuzzUnquote(f *testing.F) {
	for _, s := range []string{`""`, `"a\u00e9"`, `"\ud83d\ude42"`, `"\ud800"`, "\"\xff\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, lit []byte) {
		got, err := Unquote(lit)
		var want string
		if jerr := json.Unmarshal(lit, &want); err == nil {
			require.NoError(t, jerr, "Unquote accepted what encoding/json refuses: %q", lit)
			require.Equal(t, want, string(got))
		}
		if utf8.Valid(lit) {
			s := strings.ToValidUTF8(string(lit), "")
			m, _ := json.Marshal(s)
			back, err := Unquote(m)
			require.NoError(t, err)
			require.Equal(t, s, string(back))
		}
	})
}

// FuzzValidate checks that the rule set only ever narrows JSON: what it
// accepts, encoding/json accepts, and any object it accepts decodes with
// one member per folded name.
func FuzzValidate(f *testing.F) {
	for _, s := range []string{`{"a":[1,{"b":null}]}`, `{"a":1,"A":2}`, `{"k":1,"\u212a":2}`, `[1e5,-0.5,"\ud800"]`, `{"a":"b"} x`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if Validate(doc) != nil {
			return
		}
		require.True(t, json.Valid(doc), "accepted invalid JSON %q", doc)
		var m map[string]json.RawMessage
		if json.Unmarshal(doc, &m) == nil && m != nil {
			seen := map[string]bool{}
			for name := range m {
				require.False(t, seen[Fold(name)], "twins accepted in %q", doc)
				seen[Fold(name)] = true
			}
		}
	})
}
