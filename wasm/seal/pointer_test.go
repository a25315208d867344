package seal

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePointer(t *testing.T) {
	cases := map[string][]string{
		"/a":        {"a"},
		"/":         {""},
		"//":        {"", ""},
		"/a/0/b":    {"a", "0", "b"},
		"/a~1b":     {"a/b"},
		"/m~0n":     {"m~n"},
		"/~01":      {"~1"}, // RFC 6901 §4: ~01 is "~1", not "/"
		"/~10":      {"/0"},
		"/~0~1~0":   {"~/~"},
		"/Société€": {"Société€"},
		"/ a b ":    {" a b "},
	}
	for raw, want := range cases {
		p, err := parsePointer(raw)
		require.NoError(t, err, raw)
		assert.Equal(t, want, p.tokens, raw)
		assert.Equal(t, raw, p.prefix(len(p.tokens)), "prefix rebuilds the pointer as written")
	}
	for _, bad := range []string{"", "a", "a/b", "#/a", "/~", "/~2", "/a~b", "/~~"} {
		_, err := parsePointer(bad)
		require.Error(t, err, bad)
	}
}

func TestIsArrayIndex(t *testing.T) {
	for _, ok := range []string{"0", "1", "10", "999999999999"} {
		assert.True(t, isArrayIndex(ok), ok)
	}
	for _, bad := range []string{"", "-", "01", "00", "-1", "+1", "1.0", "1e2", " 1", "٣"} {
		assert.False(t, isArrayIndex(bad), bad)
	}
}
