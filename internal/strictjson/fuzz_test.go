package strictjson

import (
	"bytes"
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

// FuzzAppendCompact checks AppendCompact against encoding/json's Compact
// on every document the rule set accepts, and on each value inside it.
func FuzzAppendCompact(f *testing.F) {
	for _, s := range []string{` { "a" : [ 1 , 2.5e3 ] , "b\" c" : " x\\" } `, "[\t\"\\u0020 \\\\\",\n{}]", `"\ud83d\ude42 "`, ` -0 `, ` true`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if Validate(doc) != nil {
			return
		}
		var want bytes.Buffer
		require.NoError(t, json.Compact(&want, doc))
		require.Equal(t, want.String(), string(AppendCompact(nil, doc)), "document %q", doc)
		m, err := DecodeObject(doc)
		if err != nil {
			return
		}
		for name, v := range m {
			want.Reset()
			require.NoError(t, json.Compact(&want, v))
			require.Equal(t, want.String(), string(AppendCompact([]byte("x"), v))[1:], "member %q of %q", name, doc)
		}
	})
}

// FuzzAppendString checks AppendString against encoding/json's Marshal of
// a Go string, byte for byte, invalid UTF-8 included.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "<a href=\"x\">&amp;</a>", "\u2028\u2029\u2027\u202a", "\x00\x1f\x7f\b\f\n\r\t\\/", "\xff\xe2\x80", "é€🙂", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		require.Equal(t, string(want), string(AppendString([]byte("x"), s))[1:], "%q", s)
	})
}

// FuzzDecodeArray checks DecodeArray against encoding/json reading the
// same document into []json.RawMessage: the same elements, byte for byte.
func FuzzDecodeArray(f *testing.F) {
	for _, s := range []string{` [ 1 , "a" , { "b" : [ ] } , null ] `, `[]`, `{"a":[1]}`, `"x"`, `[[1,2],[3]]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if Validate(doc) != nil {
			return
		}
		got, err := DecodeArray(doc)
		if KindAt(doc) != Array {
			require.ErrorIs(t, err, ErrNotArray)
			return
		}
		require.NoError(t, err)
		var want []json.RawMessage
		require.NoError(t, json.Unmarshal(doc, &want))
		require.Len(t, got, len(want))
		for i := range want {
			require.Equal(t, string(want[i]), string(got[i]), "element %d of %q", i, doc)
		}
	})
}
