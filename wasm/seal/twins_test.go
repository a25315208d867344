package seal

import (
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// A sealed member must have no twin a reader could take for it: a name
// equal after Unicode case folding, or one that does not decode (a lone
// surrogate, which JavaScript sends as "\ud800" and Go decoders turn into
// U+FFFD; invalid UTF-8). Every such document is refused, naming the
// pointer, and nothing is returned.
func TestSealFieldsRefusesTwinsOfTheSealedMember(t *testing.T) {
	k, _ := importA(t)
	cases := []struct {
		name, doc, pointer string
	}{
		{"case variant before", `{"Password":"clear-canary","password":"x"}`, "/password"},
		{"case variant after", `{"password":"x","PASSWORD":"clear-canary"}`, "/password"},
		{"only a case variant", `{"Password":"clear-canary"}`, "/password"},
		{"pointer in another case", `{"password":"clear-canary"}`, "/Password"},
		{"long s (U+017F)", `{"paſſword":"clear-canary","password":"x"}`, "/password"},
		{"long s escaped, alone", `{"pa\u017f\u017fword":"clear-canary"}`, "/password"},
		{"Kelvin sign (U+212A)", `{"\u212a":"clear-canary","k":"x"}`, "/k"},
		{"nested twin", `{"user":{"Password":"clear-canary","password":"x"}}`, "/user/password"},
		{"twin of an ancestor", `{"User":{"password":"clear-canary"},"user":{"password":"x"}}`, "/user/password"},
		{"twin inside an array", `{"list":[{"PIN":"clear-canary","pin":"x"}]}`, "/list/0/pin"},
		{"lone high surrogate in a name", `{"a\ud800":"clear-canary","a\ufffd":"x"}`, "/a\ufffd"},
		{"lone low surrogate in a name", `{"p":{"a\udc00":"clear-canary","a":"x"}}`, "/p/a"},
		{"invalid UTF-8 in a name", "{\"pass\xffword\":\"clear-canary\",\"password\":\"x\"}", "/password"},
		{"lone surrogate in the target", `{"password":"clear-canary\ud800"}`, "/password"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := k.SealFields([]byte(tc.doc), []string{tc.pointer})
			require.Nil(t, out, "nothing may be returned")
			requireCode(t, err, sberr.InvalidArgument, "pointer "+quotePointer(tc.pointer)+": ")
			assert.NotContains(t, err.Error(), "clear-canary")
		})
	}
}

// The whole class: every rune of every sensitive name, swapped for each
// other member of its Unicode simple case-folding orbit, makes a twin the
// sealer refuses, whether the twin comes before or after the member.
func TestSealFieldsRefusesEveryFoldVariant(t *testing.T) {
	k, _ := importA(t)
	variants := 0
	for _, name := range []string{"password", "login", "iban", "pin", "kid", "ssn", "secret_key", "mot_de_passe"} {
		for i, r := range []rune(name) {
			for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
				twin := []rune(name)
				twin[i] = f
				for _, doc := range []string{
					`{"` + string(twin) + `":"clear-canary","` + name + `":"x"}`,
					`{"` + name + `":"x","` + string(twin) + `":"clear-canary"}`,
					`{"` + string(twin) + `":"clear-canary"}`,
				} {
					variants++
					out, err := k.SealFields([]byte(doc), []string{"/" + name})
					require.Nil(t, out, doc)
					requireCode(t, err, sberr.InvalidArgument, `pointer "/`+name+`"`)
				}
			}
		}
	}
	assert.Greater(t, variants, 150, "the orbits include ſ (U+017F) and K (U+212A)")
}

// Twins off every pointer's way are refused too (a server decoder would
// refuse the document), but the message names the place, not a pointer.
func TestSealFieldsRefusesTwinsElsewhere(t *testing.T) {
	k, _ := importA(t)
	_, err := k.SealFields([]byte(`{"Name":"a","name":"b","password":"x"}`), []string{"/password"})
	requireCode(t, err, sberr.InvalidArgument, `document: members "Name" and "name" in the object at the top level are equal after Unicode case folding`)
	assert.False(t, strings.Contains(err.Error(), `pointer "/password"`))
}
