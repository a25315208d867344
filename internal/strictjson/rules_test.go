package strictjson

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deep nests n arrays.
func deep(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }

// ruleCases are the rule set, one row per case: what is accepted, and for
// what is refused, the rule broken and where.
var ruleCases = []struct {
	name, doc string
	rule      error  // nil: accepted
	pointer   string // where the fault is (for a name: the object holding it)
	inName    bool
}{
	// accepted
	{"object", ` {"a": 1, "b": {"c": [2, "x"]}, "d": null, "e": true} `, nil, "", false},
	{"top-level scalars", `"s"`, nil, "", false},
	{"numbers", `[0, -0, 1.5, -2e10, 3E+2, 4e-3, 12345678901234567890123]`, nil, "", false},
	{"paired surrogates", `{"\ud83d\ude42":"\uD83D\uDE42"}`, nil, "", false},
	{"names that only look alike", `{"a":1,"b":2,"ss":3,"ß":4,"i":5,"ı":6,"\u00e9":7,"e\u0301":8}`, nil, "", false},
	{"same name in different objects", `{"a":{"p":1},"b":{"p":2},"p":3}`, nil, "", false},
	{"U+FFFD itself", `{"a\ufffd":"\uFFFD"}`, nil, "", false},
	{"64 levels", deep(64), nil, "", false},
	// trailing data, syntax
	{"trailing data", `{"a":1} x`, ErrTrailingData, "", false},
	{"two documents", `{"a":1}{}`, ErrTrailingData, "", false},
	{"empty", ``, ErrUnexpectedEnd, "", false},
	{"truncated", `{"a":`, ErrUnexpectedEnd, "/a", false},
	{"trailing comma", `{"a":1,}`, ErrSyntax, "", false},
	{"leading zero", `[01]`, ErrSyntax, "", false},
	{"control character in string", "[\"a\nb\"]", ErrSyntax, "/0", false},
	{"bad escape", `{"a":"\x"}`, ErrSyntax, "/a", false},
	// duplicates and case-fold twins, at any depth
	{"duplicate", `{"password":"x","password":"y"}`, ErrDuplicate, "", true},
	{"duplicate by escape", `{"password":"x","passwor\u0064":"y"}`, ErrDuplicate, "", true},
	{"duplicate nested", `{"u":[{"p":1,"p":2}]}`, ErrDuplicate, "/u/0", true},
	{"case twin", `{"Password":"x","password":"y"}`, ErrFoldTwin, "", true},
	{"upper-case twin", `{"password":"x","PASSWORD":"y"}`, ErrFoldTwin, "", true},
	{"long s (U+017F)", `{"password":"x","paſſword":"y"}`, ErrFoldTwin, "", true},
	{"long s escaped", `{"password":"x","pa\u017f\u017Fword":"y"}`, ErrFoldTwin, "", true},
	{"Kelvin sign (U+212A)", `{"k":"x","K":"y"}`, ErrFoldTwin, "", true},
	{"Kelvin sign and K", `{"K":"x","\u212a":"y"}`, ErrFoldTwin, "", true},
	{"Greek sigma forms", `{"σ":"x","ς":"y"}`, ErrFoldTwin, "", true},
	{"Greek theta forms", `{"ϑ":"x","Θ":"y"}`, ErrFoldTwin, "", true},
	{"Angstrom sign", `{"å":"x","Å":"y"}`, ErrFoldTwin, "", true},
	{"micro sign", `{"µ":"x","μ":"y"}`, ErrFoldTwin, "", true},
	{"twin nested", `{"a":{"Iban":"x","iban":"y"}}`, ErrFoldTwin, "/a", true},
	// invalid UTF-8 and lone surrogates, in names and values
	{"lone high surrogate in name", `{"a\ud800":"x"}`, ErrLoneSurrogate, "", true},
	{"lone low surrogate in name", `{"a\uDC00":"x"}`, ErrLoneSurrogate, "", true},
	{"reversed pair in name", `{"\udc00\ud800":"x"}`, ErrLoneSurrogate, "", true},
	{"lone surrogate in value", `{"a":"x\ud800"}`, ErrLoneSurrogate, "/a", false},
	{"lone surrogate in nested value", `{"a":[1,"\ud83d"]}`, ErrLoneSurrogate, "/a/1", false},
	{"invalid UTF-8 in name", "{\"pass\xffword\":\"x\"}", ErrInvalidUTF8, "", true},
	{"raw surrogate (CESU-8) in name", "{\"a\xed\xa0\x80\":\"x\"}", ErrInvalidUTF8, "", true},
	{"invalid UTF-8 in value", "{\"a\":\"\xc3\"}", ErrInvalidUTF8, "/a", false},
	// bounds
	{"65 levels", deep(65), ErrTooDeep, strings.Repeat("/0", 64), false},
	{"too large", `"` + strings.Repeat("x", DefaultLimits.MaxBytes) + `"`, ErrTooLarge, "", false},
}

// TestRuleSet checks every row of ruleCases.
func TestRuleSet(t *testing.T) {
	for _, tc := range ruleCases {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate([]byte(tc.doc))
			if tc.rule == nil {
				require.NoError(t, err)
				return
			}
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.ErrorIs(t, err, tc.rule)
			assert.Equal(t, tc.pointer, e.Pointer(), "where")
			assert.Equal(t, tc.inName, e.InName, "in a member name")
			for _, value := range []string{`"x"`, `"y"`} {
				assert.NotContains(t, err.Error(), value, "a message never quotes a value")
			}
		})
	}
}

func TestErrorNamesBothTwins(t *testing.T) {
	err := Validate([]byte(`{"a":{"Password":"x","paſſword":"y"}}`))
	assert.EqualError(t, err, `members "Password" and "paſſword" in the object at "/a" are equal after Unicode case folding, so a case-insensitive reader takes one for the other`)
	err = Validate([]byte(`{"p":1,"p":2}`))
	assert.EqualError(t, err, `member "p" appears twice in the object at the top level`)
	err = Validate([]byte(`{"a":"\ud800"}`))
	assert.EqualError(t, err, `the value at "/a": holds an unpaired UTF-16 surrogate (a \uD800-\uDFFF escape without its pair), which has no UTF-8 form`)
}

// Fold agrees with strings.EqualFold on every rune's orbit, so the rule
// set refuses exactly the twins encoding/json would confuse.
func TestFoldMatchesEqualFold(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if Fold(string(r)) != Fold(string(f)) {
				t.Fatalf("Fold(%q) = %q but Fold(%q) = %q", r, Fold(string(r)), f, Fold(string(f)))
			}
		}
	}
	assert.Equal(t, "password", Fold("paſſWORD"))
	assert.Equal(t, "k", Fold("\u212a"))
	assert.NotEqual(t, Fold("ss"), Fold("ß"), "simple folding, as encoding/json: ß is not ss")
}

// encoding/json, the reader a Go provider uses, confirms the premise: it
// takes a case-fold twin for the struct field.
func TestEncodingJSONReadsFoldTwins(t *testing.T) {
	for _, name := range []string{"Password", "PASSWORD", "paſſword"} {
		var v struct{ Password string }
		require.NoError(t, json.Unmarshal([]byte(`{"`+name+`":"clear"}`), &v))
		assert.Equal(t, "clear", v.Password, name)
	}
}

func TestDecodeObjectAndLookup(t *testing.T) {
	m, err := DecodeObject([]byte(` {"id": 1, "Password": "x", "b": {"c": [2]}} `))
	require.NoError(t, err)
	assert.JSONEq(t, `{"c":[2]}`, string(m["b"]))
	v, asWritten, ok := m.Lookup("password")
	require.True(t, ok)
	assert.Equal(t, "Password", asWritten)
	assert.Equal(t, `"x"`, string(v))
	_, _, ok = m.Lookup("login")
	assert.False(t, ok)

	_, err = DecodeObject([]byte(`[{"a":1}]`))
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.ErrorIs(t, err, ErrNotObject)
	assert.Equal(t, Array, e.Kind)
	assert.EqualError(t, err, "the document is an array, not a JSON object")
}

func TestDecodeArray(t *testing.T) {
	elems, err := DecodeArray([]byte(` [ "a" , {"b": [1, 2]} , null ] `))
	require.NoError(t, err)
	require.Len(t, elems, 3)
	assert.Equal(t, []string{`"a"`, `{"b": [1, 2]}`, `null`}, []string{string(elems[0]), string(elems[1]), string(elems[2])})
	elems, err = DecodeArray([]byte(`[]`))
	require.NoError(t, err)
	assert.Empty(t, elems)

	_, err = DecodeArray([]byte(`{"a":[1]}`))
	assert.ErrorIs(t, err, ErrNotArray)
	assert.EqualError(t, err, "the document is an object, not a JSON array")
	_, err = DecodeArray([]byte(`[{"a":1,"A":2}]`))
	assert.ErrorIs(t, err, ErrFoldTwin, "the rule set holds inside the elements")
}

func TestNotJSON(t *testing.T) {
	for doc, want := range map[string]bool{`{`: true, `{"a":1,}`: true, `{} {}`: true, `{"a":1,"a":2}`: false, `{"a":"\ud800"}`: false, `{}`: false} {
		assert.Equal(t, want, NotJSON(Validate([]byte(doc))), doc)
	}
	assert.False(t, NotJSON(Limits{MaxDepth: 1}.Validate([]byte(`[[1]]`))), "too deep is valid JSON")
}

func TestUnquote(t *testing.T) {
	for _, lit := range []string{
		`""`, `"plain"`, `"Société €🙂"`, `"\" \\ \/ \b \f \n \r \t"`,
		`"\u0000\u001f\u00e9\u20AC\uFFFF"`, `"\ud83d\ude42 \uD83D\uDE42"`,
		`"<>&\u003c\u003e\u0026\u2028\u2029"`, `"\\ud800"`,
	} {
		var want string
		require.NoError(t, json.Unmarshal([]byte(lit), &want), lit)
		got, err := Unquote([]byte(lit))
		require.NoError(t, err, lit)
		assert.Equal(t, want, string(got), lit)
	}
	for lit, want := range map[string]error{
		`"\ud800"`: ErrLoneSurrogate, `"\ud800x"`: ErrLoneSurrogate, `"\ud800\u0041"`: ErrLoneSurrogate,
		`"\ud800\ud800"`: ErrLoneSurrogate, `"\udc00\ud800"`: ErrLoneSurrogate, `"x\ud83d"`: ErrLoneSurrogate,
		"\"\xff\"": ErrInvalidUTF8, "\"\xed\xa0\x80\"": ErrInvalidUTF8, "\"\xc3\"": ErrInvalidUTF8,
		`"\x"`: ErrSyntax, `"\u12"`: ErrSyntax, `"\`: ErrUnexpectedEnd, `x`: ErrSyntax, "\"\n\"": ErrSyntax,
		`"a" `: ErrSyntax, `"a`: ErrUnexpectedEnd,
	} {
		_, err := Unquote([]byte(lit))
		assert.True(t, errors.Is(err, want), "%q: got %v, want %v", lit, err, want)
	}
}
