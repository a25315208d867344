//go:build js && wasm

package jsbridge

import "testing"

// createClient's baseURL is checked with the platform's URL parser: what it
// accepts is what fetch will reach, and nothing without an http(s) scheme
// and a host gets through.
func TestHTTPURL(t *testing.T) {
	for _, s := range []string{
		"https://api.provider.test", "http://127.0.0.1:9/", "HTTPS://Api.Test:443/v2?x=1#f", "http://[::1]:8080",
		"https://bücher.test/a%20b", "https://h/%41?a=%2F",
	} {
		if !HTTPURL(s) {
			t.Errorf("HTTPURL(%q) = false", s)
		}
	}
	for _, s := range []string{
		"", "/v2", "api.provider.test", "javascript:alert(1)", "https://", "http://[::1", "ftp://files.test/",
		"data:text/plain,x", "file:///etc/passwd", "blob:https://a.test/1", "https://a b.test/", "http://:80/",
		"https://user:pass@api.test/", "https://user@api.test/",
		" https://api.test", "https://api.test/ ", "https://api.test\n", "https://ap\ti.test/", "https://api.test/\x00", "https://api.test/\x7f",
	} {
		if HTTPURL(s) {
			t.Errorf("HTTPURL(%q) = true", s)
		}
	}
}
