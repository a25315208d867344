package intermediary

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// canonicalTarget checks a descriptor path and returns it in canonical form,
// split into the path and the re-encoded query ("" when there is none).
//
// The provider joins the path to its own base URL, and whatever sits in
// between (proxies, frameworks) may decode, clean or re-split it. So any
// input that two parsers could read as different targets is refused rather
// than repaired: other hosts ("//evil", "/\evil", absolute URLs), dot
// segments, separators or dots hidden behind percent-encoding (once or
// twice: "%2e", "%252e"), empty segments, userinfo '@', ';' parameters,
// fragments and control characters. What remains is normalised: letters,
// digits, '-', '_' and '~' written as %XX are decoded, other %XX escapes
// are upper-cased, raw non-ASCII is percent-encoded, and the query is
// parsed and re-encoded with sorted keys. canonicalTarget of its own
// output returns it unchanged.
func canonicalTarget(p string) (path, query string, err error) {
	switch {
	case p == "" || p[0] != '/':
		return "", "", errors.New(`path must start with "/" (relative to the provider API, e.g. "/v2/organization"); absolute URLs are refused`)
	case strings.HasPrefix(p, "//"):
		return "", "", errors.New(`path must not start with "//": that names another host`)
	case !utf8.ValidString(p):
		return "", "", errors.New("path is not valid UTF-8")
	case strings.IndexByte(p, '#') >= 0:
		return "", "", errors.New("path must not have a fragment ('#')")
	}
	rawPath, rawQuery, _ := strings.Cut(p, "?")
	if path, err = canonicalPath(rawPath); err != nil {
		return "", "", err
	}
	if query, err = canonicalQuery(rawQuery); err != nil {
		return "", "", err
	}
	return path, query, nil
}

// canonicalPath normalises the path part (no '?') byte by byte, then checks
// its segments.
func canonicalPath(p string) (string, error) {
	var b strings.Builder
	b.Grow(len(p))
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c < 0x20 || c == 0x7f:
			return "", fmt.Errorf("path has control character %q at byte %d (tab, CR, LF and NUL are refused)", c, i)
		case c == ' ':
			return "", fmt.Errorf("path has a space at byte %d; percent-encode it", i)
		case c >= 0x80:
			writeEscaped(&b, c)
		case c == '\\':
			return "", errors.New(`path must not contain a backslash ('\'): some servers read it as '/'`)
		case c == '@':
			return "", errors.New("path must not contain '@' (userinfo)")
		case c == ';':
			return "", errors.New("path must not contain ';' (path parameters)")
		case c == '%':
			d, ok := unhex2(p, i+1)
			if !ok {
				return "", fmt.Errorf("path has a '%%' at byte %d that is not followed by two hex digits", i)
			}
			if msg := encodedProblem(d); msg != "" {
				return "", fmt.Errorf("path has %s at byte %d", msg, i)
			}
			if isAlnum(d) || d == '-' || d == '_' || d == '~' {
				b.WriteByte(d) // RFC 3986 §6.2.2.2: decode unreserved characters
			} else {
				writeEscaped(&b, d)
			}
			i += 2
		case isPathChar(c):
			b.WriteByte(c)
		default:
			return "", fmt.Errorf("path has %q at byte %d, which must be percent-encoded", c, i)
		}
	}
	out := b.String()
	if err := checkSegments(out[1:]); err != nil {
		return "", err
	}
	if dec, err := url.PathUnescape(out); err != nil || !utf8.ValidString(dec) {
		return "", errors.New("path's percent-encoded bytes are not valid UTF-8")
	}
	return out, nil
}

// writeEscaped writes c as %XX, upper-case. Not fmt.Fprintf, whose
// io.Writer argument would put the builder on the heap on every call.
func writeEscaped(b *strings.Builder, c byte) {
	const hex = "0123456789ABCDEF"
	b.WriteByte('%')
	b.WriteByte(hex[c>>4])
	b.WriteByte(hex[c&0xf])
}

// checkSegments refuses empty segments (but a trailing slash) and dot
// segments in a path without its leading '/', one segment at a time.
func checkSegments(rest string) error {
	for {
		seg, after, more := strings.Cut(rest, "/")
		switch {
		case seg == "" && more:
			return errors.New(`path has an empty segment ("//")`)
		case seg == "." || seg == "..":
			return fmt.Errorf("path has a %q segment; send the resolved path", seg)
		}
		if !more {
			return nil
		}
		rest = after
	}
}

// encodedProblem says why a percent-encoded byte is refused, or returns "".
// '%' itself is refused so that double encoding ("%252e") cannot turn into
// a dot or a slash after a second decoding downstream.
func encodedProblem(d byte) string {
	switch {
	case d == '.':
		return "an encoded dot (%2E)"
	case d == '/':
		return "an encoded slash (%2F)"
	case d == '\\':
		return "an encoded backslash (%5C)"
	case d == '%':
		return "an encoded '%' (%25: double encoding)"
	case d < 0x20 || d == 0x7f:
		return fmt.Sprintf("an encoded control character (%%%02X)", d)
	case d == '?' || d == '#' || d == ';' || d == '@':
		return fmt.Sprintf("an encoded %q (%%%02X)", d, d)
	}
	return ""
}

// canonicalQuery parses the query strictly and re-encodes it with sorted
// keys. An empty query ("/x?") is dropped.
func canonicalQuery(q string) (string, error) {
	if q == "" {
		return "", nil
	}
	vals, err := url.ParseQuery(q)
	if err != nil {
		return "", errors.New("query string is malformed: use key=value pairs joined by '&', percent-encoded ('+' or %20 for spaces, no ';')")
	}
	for k, vs := range vals {
		if k == "" {
			return "", errors.New("query string has a parameter without a name")
		}
		for _, s := range append([]string{k}, vs...) {
			if !utf8.ValidString(s) {
				return "", errors.New("query string decodes to invalid UTF-8")
			}
			for i := 0; i < len(s); i++ {
				if s[i] < 0x20 || s[i] == 0x7f {
					return "", errors.New("query string decodes to a control character (CR, LF, NUL...)")
				}
			}
		}
	}
	return vals.Encode(), nil
}

func unhex2(s string, i int) (byte, bool) {
	if i+1 >= len(s) {
		return 0, false
	}
	h, ok1 := unhex(s[i])
	l, ok2 := unhex(s[i+1])
	return h<<4 | l, ok1 && ok2
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// isUnreserved: RFC 3986 unreserved characters.
func isUnreserved(c byte) bool {
	return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~'
}

// isPathChar: what may stay literal in a canonical path: RFC 3986 pchar
// without '%' (handled apart), ';' and '@' (refused), plus '/'.
func isPathChar(c byte) bool {
	return isUnreserved(c) || c == '/' || strings.IndexByte("!$&'()*+,=:", c) >= 0
}
