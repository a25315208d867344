package seal

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// jweLiteral matches a sealed value as SealFields writes it.
var jweLiteral = regexp.MustCompile(`"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+"`)

// unseal replaces each JWE in out, in order, with the given original
// literals. The result must be the input document byte for byte.
func unseal(t testing.TB, priv *rsa.PrivateKey, out []byte, originals []string) ([]byte, []string) {
	t.Helper()
	var plains []string
	i := 0
	restored := jweLiteral.ReplaceAllFunc(out, func(lit []byte) []byte {
		plains = append(plains, string(decrypt(t, priv, string(lit[1:len(lit)-1]))))
		require.Less(t, i, len(originals), "more JWEs than sealed fields")
		r := originals[i]
		i++
		return []byte(r)
	})
	require.Equal(t, len(originals), i, "fewer JWEs than sealed fields")
	return restored, plains
}

const formDoc = `{
  "login" : "alice",
  "password":"p@ss w0rd",   "age": 42, "ok": true, "none": null,
  "nested": {"deep": {"secret": "Société €🙂"}},
  "list": [ "a", {"pin": "pin-4829"}, "" ],
  "a/b": "slash", "m~n": "tilde",
  "escaped": "p\u00e9\n\"q\ud83d\ude42\\",
  "num": 1.50e+3, "big": 12345678901234567890123
}
`

func TestSealFieldsPreservesEverythingElse(t *testing.T) {
	k, priv := importA(t)
	pointers := []string{"/password", "/nested/deep/secret", "/list/1/pin", "/list/2", "/a~1b", "/m~0n", "/escaped"}
	out, err := k.SealFields([]byte(formDoc), pointers)
	require.NoError(t, err)
	require.True(t, json.Valid(out))

	// Document order of the targets, as literals in the original text.
	originals := []string{`"p@ss w0rd"`, `"Société €🙂"`, `"pin-4829"`, `""`, `"slash"`, `"tilde"`, `"p\u00e9\n\"q\ud83d\ude42\\"`}
	restored, plains := unseal(t, priv, out, originals)
	require.Equal(t, formDoc, string(restored), "only the sealed values may change")
	require.Equal(t, []string{"p@ss w0rd", "Société €🙂", "pin-4829", "", "slash", "tilde", "pé\n\"q🙂\\"}, plains)

	for _, clear := range []string{"p@ss w0rd", "Société", "pin-4829", "slash", "tilde"} {
		require.NotContains(t, string(out), clear)
	}
	// Untouched parts keep their exact text, numbers included.
	for _, kept := range []string{`"login" : "alice"`, `"age": 42`, `"num": 1.50e+3`, `"big": 12345678901234567890123`, `"list": [ "a", {"pin": "`} {
		require.Contains(t, string(out), kept)
	}

	var v struct {
		Password string `json:"password"`
		Nested   struct {
			Deep struct{ Secret string } `json:"deep"`
		} `json:"nested"`
	}
	require.NoError(t, json.Unmarshal(out, &v))
	require.Equal(t, "p@ss w0rd", string(decrypt(t, priv, v.Password)))
	require.Equal(t, "Société €🙂", string(decrypt(t, priv, v.Nested.Deep.Secret)))
}

func TestSealFieldsShapes(t *testing.T) {
	k, priv := importA(t)
	cases := []struct {
		name, doc string
		pointers  []string
		originals []string
	}{
		{"top-level array", `["x", "y"]`, []string{"/1"}, []string{`"y"`}},
		{"array in array", `[[0,["s"]]]`, []string{"/0/1/0"}, []string{`"s"`}},
		{"empty member name", `{"":"v","a":1}`, []string{"/"}, []string{`"v"`}},
		{"unicode member name", `{"Société":"v"}`, []string{"/Société"}, []string{`"v"`}},
		{"escaped member name", `{"pass\u0077ord":"v"}`, []string{"/password"}, []string{`"v"`}},
		{"member named ~1", `{"~1":"v","/":"w"}`, []string{"/~01", "/~1"}, []string{`"v"`, `"w"`}},
		{"pointers in any order", `{"a":"1","b":"2"}`, []string{"/b", "/a"}, []string{`"1"`, `"2"`}},
		{"compact", `{"a":{"b":["c","d"]},"e":"f"}`, []string{"/a/b/1", "/e"}, []string{`"d"`, `"f"`}},
		{"tabs and CRLF", "{\r\n\t\"a\"\t:\r\n\t\"b\"\r\n}", []string{"/a"}, []string{`"b"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := k.SealFields([]byte(tc.doc), tc.pointers)
			require.NoError(t, err)
			require.True(t, json.Valid(out))
			restored, _ := unseal(t, priv, out, tc.originals)
			require.Equal(t, tc.doc, string(restored))
		})
	}
}

// formDocBytes is formDoc, the document most error cases seal into.
var formDocBytes = []byte(formDoc)

var sealFieldsErrorCases = []struct {
	name     string
	doc      []byte
	pointers []string
	code     sberr.Code
	frags    []string
}{
	{"number", formDocBytes, []string{"/age"}, sberr.InvalidArgument, []string{`pointer "/age": is a number, not a string`}},
	{"big number", formDocBytes, []string{"/big"}, sberr.InvalidArgument, []string{`pointer "/big": is a number`}},
	{"boolean", formDocBytes, []string{"/ok"}, sberr.InvalidArgument, []string{`pointer "/ok": is a boolean, not a string`}},
	{"null", formDocBytes, []string{"/none"}, sberr.InvalidArgument, []string{`pointer "/none": is null, not a string`}},
	{"object", formDocBytes, []string{"/nested"}, sberr.InvalidArgument, []string{`pointer "/nested": is an object, not a string`}},
	{"array", formDocBytes, []string{"/list"}, sberr.InvalidArgument, []string{`pointer "/list": is an array, not a string`}},
	{"no such member", formDocBytes, []string{"/pasword"}, sberr.InvalidArgument, []string{`pointer "/pasword": no such member "pasword" at the top level`}},
	{"no such nested member", formDocBytes, []string{"/nested/deep/secrets"}, sberr.InvalidArgument, []string{`no such member "secrets" in the object at "/nested/deep"`}},
	{"index out of range", formDocBytes, []string{"/list/3"}, sberr.InvalidArgument, []string{`pointer "/list/3": no such element 3 in the array at "/list", which has 3 elements`}},
	{"leading zero index", formDocBytes, []string{"/list/01"}, sberr.InvalidArgument, []string{`"01" is no array index in the array at "/list"`, "without leading zeros"}},
	{"non-numeric index", formDocBytes, []string{"/list/x"}, sberr.InvalidArgument, []string{`"x" is no array index`}},
	{"dash index", formDocBytes, []string{"/list/-"}, sberr.InvalidArgument, []string{`"-" names the slot after the last element`}},
	{"through a string", formDocBytes, []string{"/login/first"}, sberr.InvalidArgument, []string{`pointer "/login/first": "/login" is a string, not an object or array`}},
	{"through a number", formDocBytes, []string{"/age/0"}, sberr.InvalidArgument, []string{`"/age" is a number, not an object or array`}},
	{"target and its child", formDocBytes, []string{"/login", "/login/x"}, sberr.InvalidArgument, []string{`pointer "/login/x": "/login" is a string`}},
	{"index into top-level array", []byte(`["a"]`), []string{"/1"}, sberr.InvalidArgument, []string{`no such element 1 at the top level, which has 1 elements`}},
	{"member of top-level array", []byte(`["a"]`), []string{"/a"}, sberr.InvalidArgument, []string{`"a" is no array index at the top level`}},
	{"no leading slash", formDocBytes, []string{"password"}, sberr.InvalidArgument, []string{`pointer "password": malformed pointer: must start with "/"`}},
	{"root pointer", formDocBytes, []string{""}, sberr.InvalidArgument, []string{`pointer "": the whole document cannot be sealed`}},
	{"bad escape", formDocBytes, []string{"/a~2b"}, sberr.InvalidArgument, []string{`pointer "/a~2b": malformed pointer: "~" must be followed by 0 or 1`}},
	{"trailing tilde", formDocBytes, []string{"/a~"}, sberr.InvalidArgument, []string{`malformed pointer`}},
	{"duplicate pointer", formDocBytes, []string{"/password", "/login", "/password"}, sberr.InvalidArgument, []string{`pointer "/password": given twice`}},
	{"same token differently escaped is still one target", []byte(`{"a~b":"x"}`), []string{"/a~0b", "/a~0b"}, sberr.InvalidArgument, []string{"given twice"}},
	{"no pointers", formDocBytes, nil, sberr.InvalidArgument, []string{"no pointers given"}},
	{"empty pointer list", formDocBytes, []string{}, sberr.InvalidArgument, []string{"no pointers given"}},
	{"too many pointers", formDocBytes, make([]string, MaxPointers+1), sberr.InvalidArgument, []string{"1025 pointers given", "at most 1024"}},
	{"duplicate target member", []byte(`{"password":"a","password":"b"}`), []string{"/password"}, sberr.InvalidArgument, []string{`pointer "/password": member "password" appears twice in one object`, "remove the duplicate"}},
	{"duplicate via escape", []byte(`{"password":"a","pass\u0077ord":"b"}`), []string{"/password"}, sberr.InvalidArgument, []string{`member "password" appears twice`}},
	{"duplicate keys off the path", []byte(`{"x":1,"x":2,"p":"s"}`), []string{"/p"}, sberr.InvalidArgument, []string{`document: member "x" appears twice in the object at the top level`}},
	{"duplicate ancestor", []byte(`{"u":{"p":"a"},"u":{"p":"b"}}`), []string{"/u/p"}, sberr.InvalidArgument, []string{`pointer "/u/p": member "u" appears twice`}},
	{"invalid JSON", []byte(`{"password":"hunter2",}`), []string{"/password"}, sberr.InvalidArgument, []string{"document is not valid JSON (error near byte"}},
	{"truncated JSON", []byte(`{"password":"hunter2"`), []string{"/password"}, sberr.InvalidArgument, []string{"document is not valid JSON"}},
	{"two documents", []byte(`{"password":"hunter2"} {}`), []string{"/password"}, sberr.InvalidArgument, []string{"document is not valid JSON"}},
	{"empty document", []byte(``), []string{"/password"}, sberr.InvalidArgument, []string{"document is not valid JSON"}},
	{"scalar document", []byte(` "hunter2" `), []string{"/password"}, sberr.InvalidArgument, []string{"document is a string; it must be a JSON object or array"}},
	{"lone surrogate", []byte(`{"p":"ab\ud800cd"}`), []string{"/p"}, sberr.InvalidArgument, []string{`pointer "/p": the string holds an unpaired UTF-16 surrogate`}},
	{"lone low surrogate", []byte(`{"p":"\udc00"}`), []string{"/p"}, sberr.InvalidArgument, []string{"unpaired UTF-16 surrogate"}},
	{"invalid UTF-8", []byte("{\"p\":\"a\xffb\"}"), []string{"/p"}, sberr.InvalidArgument, []string{`pointer "/p": the string is not valid UTF-8`}},
	{"value too large", []byte(`{"p":"` + strings.Repeat("x", MaxPlaintext+1) + `"}`), []string{"/p"}, sberr.PayloadTooLarge, []string{`pointer "/p": value is 65537 bytes`}},
	{"document too large", []byte(`{"p":"` + strings.Repeat("x", MaxDocument) + `"}`), []string{"/p"}, sberr.PayloadTooLarge, []string{"at most 1048576 bytes"}},
}

func TestSealFieldsErrors(t *testing.T) {
	k, _ := importA(t)
	for _, tc := range sealFieldsErrorCases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := k.SealFields(tc.doc, tc.pointers)
			require.Nil(t, out)
			requireCode(t, err, tc.code, tc.frags...)
			// A message never quotes a document value.
			assert.NotContains(t, err.Error(), "hunter2")
			assert.NotContains(t, err.Error(), "p@ss")
		})
	}

	var none *Key
	_, err := none.SealFields(formDocBytes, []string{"/password"})
	requireCode(t, err, sberr.InvalidArgument, "ImportKey")
}

func TestSealFieldsValueExactlyMaxPlaintext(t *testing.T) {
	k, priv := importA(t)
	// 65536 bytes once decoded: escapes count by their decoded size.
	value := strings.Repeat("é", MaxPlaintext/2)
	doc := mustJSON(t, map[string]string{"p": value})
	out, err := k.SealFields(doc, []string{"/p"})
	require.NoError(t, err)
	var v map[string]string
	require.NoError(t, json.Unmarshal(out, &v))
	require.Equal(t, value, string(decrypt(t, priv, v["p"])))
}

func TestSealFieldsManyValues(t *testing.T) {
	k, priv := importA(t)
	var b bytes.Buffer
	b.WriteString("[")
	var pointers, originals []string
	for i := 0; i < 50; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, `{"n":%d,"v":"value-%d"}`, i, i)
		pointers = append(pointers, fmt.Sprintf("/%d/v", 49-i))
		originals = append(originals, fmt.Sprintf(`"value-%d"`, i))
	}
	b.WriteString("]")
	out, err := k.SealFields(b.Bytes(), pointers)
	require.NoError(t, err)
	restored, plains := unseal(t, priv, out, originals)
	require.Equal(t, b.String(), string(restored))
	for i, p := range plains {
		require.Equal(t, fmt.Sprintf("value-%d", i), p)
	}
}
