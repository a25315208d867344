package client

import (
	"net/netip"
	"strings"
)

// httpURL reports whether s is an absolute http(s) URL that a page can
// fetch: scheme http or https (any case), then "//", a host name (ASCII
// letters, digits, "-", ".", "_", "~", or non-ASCII bytes) or a bracketed
// IPv6 address, an optional port, and a path, query and fragment without
// control characters or broken percent escapes.
//
// It is not url.Parse, which the module does not link (net/url's parser,
// with net/netip's, is about 6 KB of brotli), and it accepts less: a fuzz
// test holds it to accepting nothing that url.Parse refuses, or parses to
// another scheme or no host. What url.Parse also took and this refuses:
// user info ("https://user:pass@host", which fetch refuses too), IPv6 zones,
// percent escapes and other punctuation in the host name, a port without
// a host, a broken percent escape in the query.
func httpURL(s string) bool {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || !(strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https")) {
		return false
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	return validAuthority(rest[:end]) && validTail(rest[end:])
}

// validAuthority checks host[:port].
func validAuthority(a string) bool {
	host, port := a, ""
	if i := strings.LastIndexByte(a, ':'); i >= 0 && !strings.Contains(a[i:], "]") {
		host, port = a[:i], a[i+1:]
	}
	for i := 0; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			return false
		}
	}
	if ip, ok := strings.CutPrefix(host, "["); ok {
		ip, ok = strings.CutSuffix(ip, "]")
		addr, err := netip.ParseAddr(ip)
		return ok && err == nil && addr.Is6() && !strings.Contains(ip, "%")
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' || c >= 0x80) {
			return false
		}
	}
	return host != ""
}

// validTail checks the path, query and fragment: no control character,
// and "%" only as the start of an escape.
func validTail(t string) bool {
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c < 0x20 || c == 0x7f:
			return false
		case c == '%':
			if i+2 >= len(t) || !isHex(t[i+1]) || !isHex(t[i+2]) {
				return false
			}
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
