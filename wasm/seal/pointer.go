package seal

import (
	"fmt"
	"strings"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// pointer is a parsed RFC 6901 JSON Pointer.
type pointer struct {
	raw    string
	tokens []string // unescaped reference tokens
	esc    []string // the same tokens as written, for messages
}

// parsePointer parses p. The root pointer "" is refused: sealing the whole
// document would leave nothing for the provider to route the request by.
func parsePointer(p string) (pointer, error) {
	if p == "" {
		return pointer{}, pointerError(p, `the whole document cannot be sealed; name a string member such as "/password"`)
	}
	if p[0] != '/' {
		return pointer{}, pointerError(p, `malformed pointer: must start with "/" (e.g. "/password")`)
	}
	esc := strings.Split(p[1:], "/")
	tokens := make([]string, len(esc))
	for i, e := range esc {
		t, ok := unescapeToken(e)
		if !ok {
			return pointer{}, pointerError(p, `malformed pointer: "~" must be followed by 0 or 1 (write ~0 for "~" and ~1 for "/")`)
		}
		tokens[i] = t
	}
	return pointer{raw: p, tokens: tokens, esc: esc}, nil
}

// unescapeToken applies RFC 6901 §4: "~1" becomes "/", then "~0" becomes
// "~" (in one left-to-right pass, so "~01" is "~1" and not "/").
func unescapeToken(e string) (string, bool) {
	if !strings.Contains(e, "~") {
		return e, true
	}
	var b strings.Builder
	for i := 0; i < len(e); i++ {
		if e[i] != '~' {
			b.WriteByte(e[i])
			continue
		}
		if i+1 == len(e) {
			return "", false
		}
		switch e[i+1] {
		case '0':
			b.WriteByte('~')
		case '1':
			b.WriteByte('/')
		default:
			return "", false
		}
		i++
	}
	return b.String(), true
}

// prefix returns the pointer to the first n tokens, as written.
func (p pointer) prefix(n int) string {
	if n == 0 {
		return ""
	}
	return "/" + strings.Join(p.esc[:n], "/")
}

// isArrayIndex reports whether t is an RFC 6901 array index: decimal,
// without leading zeros.
func isArrayIndex(t string) bool {
	if t == "" || (t[0] == '0' && len(t) > 1) {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return false
		}
	}
	return true
}

// pointerError is an InvalidArgument error that names the pointer.
func pointerError(p, format string, args ...any) *sberr.Error {
	return sberr.New(sberr.InvalidArgument, "pointer %s: %s", quotePointer(p), fmt.Sprintf(format, args...))
}

// quotePointer quotes a pointer for a message, shortening absurd ones.
func quotePointer(p string) string {
	const max = 200
	if len(p) > max {
		return fmt.Sprintf("%q...", p[:max])
	}
	return fmt.Sprintf("%q", p)
}
