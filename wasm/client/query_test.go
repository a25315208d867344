package client

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzWithQueryAsURLValues holds withQuery to the url.Values.Encode it
// replaced, byte for byte.
func FuzzWithQueryAsURLValues(f *testing.F) {
	f.Add("/v2/x", "b", "2", "a", "1 &=+é")
	f.Add("/v2/x?page=1", "", "", "k", "")
	f.Add("/", "a/b?c#d", "%zz", "ü\x00", "\xff")
	f.Fuzz(func(t *testing.T, path, k1, v1, k2, v2 string) {
		q := map[string]string{k1: v1, k2: v2}
		v := url.Values{}
		for k, val := range q {
			v.Set(k, val)
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		require.Equal(t, path+sep+v.Encode(), withQuery(path, q))
	})
}

// FuzzQueryEscape holds queryEscape to url.QueryEscape byte for byte.
func FuzzQueryEscape(f *testing.F) {
	for _, s := range []string{"", "a b", "é/?#&=+%", "\x00\x7f\xff", "-_.~*'()!"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		require.Equal(t, url.QueryEscape(s), queryEscape(s))
	})
}
