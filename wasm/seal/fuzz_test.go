package seal

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

const canary = "CANARY-9f3c1e"

// FuzzSealFields seals a random string at a known pointer, next to random
// untouched text, and checks that the plaintext is gone, the result is valid
// JSON, everything else is kept byte for byte, and the JWE opens to the value.
func FuzzSealFields(f *testing.F) {
	f.Add("hunter2", "alice")
	f.Add("", "")
	f.Add("Société €🙂", `"quoted" \ back\slash`)
	f.Add("<script>&</script>\u2028", "\x00\x1f")
	f.Add("\xff\xfe broken", "tab\there")
	f.Add(strings.Repeat("x", 300), "[1,2]")
	k, priv := importA(f)
	f.Fuzz(func(t *testing.T, value, other string) {
		// The canary may appear only where we put it.
		other = strings.ReplaceAll(other, "CANARY", "")
		secret := canary + value
		secretLit, err := json.Marshal(secret)
		require.NoError(t, err)
		otherLit, err := json.Marshal(other)
		require.NoError(t, err)
		doc := `{"login": ` + string(otherLit) + `, "form": {"list": [1, ` + string(otherLit) + `,` + "\n" +
			`{"secret" :` + string(secretLit) + `}]}, "n": -0.5e10}`

		out, err := k.SealFields([]byte(doc), []string{"/form/list/2/secret"})
		if len(secret) > MaxPlaintext {
			requireCode(t, err, sberr.PayloadTooLarge)
			return
		}
		require.NoError(t, err)
		require.True(t, json.Valid(out), "result is not valid JSON: %s", out)
		require.NotContains(t, string(out), canary)

		restored, plains := unseal(t, priv, out, []string{string(secretLit)})
		require.Equal(t, doc, string(restored))
		// json.Marshal wrote broken UTF-8 as U+FFFD: that is what was sealed.
		var want string
		require.NoError(t, json.Unmarshal(secretLit, &want))
		require.Equal(t, want, plains[0])
	})
}

// FuzzSealDocument feeds arbitrary documents and pointers. It must
// never panic or report an internal error; on success, the result decodes
// to the input with the named value replaced by a JWE string.
func FuzzSealDocument(f *testing.F) {
	f.Add([]byte(formDoc), "/nested/deep/secret")
	f.Add([]byte(`[["a"],{"b":"c"}]`), "/1/b")
	f.Add([]byte(`{"a":"x","a":"y"}`), "/a")
	f.Add([]byte(`{"a":{"":"\ud83d\ude42"}}`), "/a/")
	f.Add([]byte(`{"a~b/c":"v"}`), "/a~0b~1c")
	f.Add([]byte(` [ 1 , "x" , true ] `), "/1")
	f.Add([]byte(`{"a":"\ud800"}`), "/a")
	k, _ := importA(f)
	f.Fuzz(func(t *testing.T, doc []byte, ptr string) {
		out, err := k.SealFields(doc, []string{ptr})
		if err != nil {
			code := sberr.CodeOf(err)
			require.Contains(t, []sberr.Code{sberr.InvalidArgument, sberr.PayloadTooLarge}, code, "%v", err)
			return
		}
		require.True(t, json.Valid(out))
		var before, after any
		require.NoError(t, json.Unmarshal(doc, &before))
		require.NoError(t, json.Unmarshal(out, &after))
		p, err := parsePointer(ptr)
		require.NoError(t, err)
		sealed, ok := lookup(after, p.tokens).(string)
		require.True(t, ok)
		require.Len(t, strings.Split(sealed, "."), 5)
		require.True(t, utf8.ValidString(sealed))
		require.Equal(t, before, replace(t, before, p.tokens, sealed, after))
	})
}

// lookup resolves tokens in a decoded JSON value (test-only, no checks).
func lookup(v any, tokens []string) any {
	for _, tok := range tokens {
		switch c := v.(type) {
		case map[string]any:
			v = c[tok]
		case []any:
			i, _ := strconv.Atoi(tok)
			v = c[i]
		}
	}
	return v
}

// replace returns after with the value at tokens swapped back to before's,
// after checking that it is the sealed string.
func replace(t *testing.T, before any, tokens []string, sealed string, after any) any {
	t.Helper()
	if len(tokens) == 0 {
		require.Equal(t, sealed, after)
		return before
	}
	switch c := after.(type) {
	case map[string]any:
		c[tokens[0]] = replace(t, before.(map[string]any)[tokens[0]], tokens[1:], sealed, c[tokens[0]])
		return c
	case []any:
		i, err := strconv.Atoi(tokens[0])
		require.NoError(t, err)
		c[i] = replace(t, before.([]any)[i], tokens[1:], sealed, c[i])
		return c
	}
	t.Fatalf("pointer goes through a scalar")
	return nil
}
