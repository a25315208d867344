package client

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHTTPURL(t *testing.T) {
	for _, s := range []string{
		"https://api.provider.test", "http://127.0.0.1:9/", "HTTPS://Api.Test:443/v2?x=1#f", "http://[::1]:8080",
		"https://bücher.test/a%20b", "https://a_b~c.test/ path with spaces", "http://h:/", "https://h/%41?a=%2F",
	} {
		assert.True(t, httpURL(s), s)
	}
	for _, s := range []string{
		"", "not a url", "/v2", "javascript:alert(1)", "ftp://h", "https://", "https:///x", "http://:80",
		"https://user:pass@h", "https://h:8o", "http://[::1", "http://[127.0.0.1]", "http://[fe80::1%25en0]",
		"https://a b", "https://h/\x00", "https://h/\x7f", "https://h/%4", "https://h/%g0", "https://h#%zz",
		"https://h%41", "https://a,b", "http://a:1:2", "https://h/?%zz",
	} {
		assert.False(t, httpURL(s), s)
	}
}

// FuzzHTTPURLWithinURLParse holds httpURL to the url.Parse check it
// replaced: whatever it accepts, url.Parse reads as an http(s) URL with a
// host. (It may refuse more: see httpURL.)
func FuzzHTTPURLWithinURLParse(f *testing.F) {
	for _, s := range []string{"https://api.test/v2", "http://[::1]:80/x?y#z", "https://h%zz", "http://h:1/%41", "https://[::ffff:1.2.3.4]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !httpURL(s) {
			return
		}
		u, err := url.Parse(s)
		require.NoError(t, err, "%q", s)
		require.Contains(t, []string{"http", "https"}, u.Scheme, "%q", s)
		require.NotEmpty(t, u.Host, "%q", s)
	})
}
