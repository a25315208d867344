package descriptor

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// isTchar reports whether c may appear in an RFC 9110 token (method or
// header name).
func isTchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return c != 0 && strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// tokenProblem says why s is not an RFC 9110 token, or returns "".
func tokenProblem(s string) string {
	if s == "" {
		return "is empty"
	}
	for i := 0; i < len(s); i++ {
		if !isTchar(s[i]) {
			return fmt.Sprintf("has %q at byte %d, which is not allowed in an HTTP token (RFC 9110)", s[i], i)
		}
	}
	return ""
}

// pathProblem says why p is not a path relative to the provider API, or
// returns "". Besides the leading "/", it refuses what would let the path
// escape the API's origin once joined to a base URL ("//host", "/\host",
// which browsers read as "//host") and what no request-target may hold.
func pathProblem(p string) string {
	switch {
	case p == "":
		return `is empty; it must start with "/"`
	case p[0] != '/':
		return `must start with "/" (relative to the provider API, e.g. "/v2/organization")`
	case len(p) > 1 && (p[1] == '/' || p[1] == '\\'):
		return `must not start with "//" or "/\": that names another host`
	case !utf8.ValidString(p):
		return "is not valid UTF-8"
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= ' ' || c == 0x7f {
			return fmt.Sprintf("has a space or control character at byte %d; percent-encode it", i)
		}
	}
	return ""
}

// requestValueProblem says why v cannot be a request header value, or
// returns "". RFC 9110 field values allow no control characters but HTAB;
// CR, LF and NUL would split or truncate the header downstream, and Go's
// net/http refuses the others anyway.
func requestValueProblem(v string) string {
	if !utf8.ValidString(v) {
		return "is not valid UTF-8"
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return fmt.Sprintf("has control character %q at byte %d (CR, LF, NUL and other controls are not allowed)", c, i)
		}
	}
	return ""
}

// responseValueProblem says why v cannot be a response header value, or
// returns "". The envelope comes from the provider and is only read, so any
// UTF-8 string is kept rather than losing the whole answer over one header.
func responseValueProblem(v string) string {
	if !utf8.ValidString(v) {
		return "is not valid UTF-8"
	}
	return ""
}

// headerSet collects headers under lower-cased names and refuses names
// that collide after lower-casing: which of two would win is not defined.
type headerSet struct {
	f     fault
	l     Limits // zero MaxHeaders/MaxHeaderBytes: no size limits (encoding)
	value func(string) string
	out   map[string]string
	names []string // the names as given, for the message when two collide
}

func newHeaderSet(f fault, l Limits, value func(string) string) *headerSet {
	return &headerSet{f: f, l: l, value: value, out: map[string]string{}}
}

func (h *headerSet) add(name, value string) error {
	if h.l.MaxHeaders > 0 && len(h.out) >= h.l.MaxHeaders {
		return h.f.tooLarge("has more than %d headers", h.l.MaxHeaders)
	}
	if h.l.MaxHeaderBytes > 0 && len(name) > h.l.MaxHeaderBytes {
		return h.f.tooLarge("header name %s is %d bytes, over the %d-byte limit", short(name), len(name), h.l.MaxHeaderBytes)
	}
	if p := tokenProblem(name); p != "" {
		return h.f.bad("header name %s %s", short(name), p)
	}
	if h.l.MaxHeaderBytes > 0 && len(value) > h.l.MaxHeaderBytes {
		return h.f.tooLarge("header %s value is %d bytes, over the %d-byte limit", short(name), len(value), h.l.MaxHeaderBytes)
	}
	if p := h.value(value); p != "" {
		return h.f.bad("header %s value %s", short(name), p)
	}
	lower := strings.ToLower(name) // tokens are ASCII, so this is ASCII lower-casing
	if _, ok := h.out[lower]; ok {
		prev := h.given(lower)
		if prev == name {
			return h.f.bad("duplicate header %s", short(name))
		}
		return h.f.bad("headers %s and %s differ only in case; send one", short(prev), short(name))
	}
	h.names = append(h.names, name)
	h.out[lower] = value
	return nil
}

// given returns the name as given of the header kept under lower.
func (h *headerSet) given(lower string) string {
	for _, n := range h.names {
		if strings.ToLower(n) == lower {
			return n
		}
	}
	return lower // not reached: every key of out came through add
}

// expect makes room for n headers in one allocation.
func (h *headerSet) expect(n int) {
	if h.names == nil {
		h.names = make([]string, 0, n)
	}
}

// addAll adds a map in a fixed order, so that errors are reproducible.
func (h *headerSet) addAll(m map[string]string) error {
	h.expect(len(m))
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if err := h.add(n, m[n]); err != nil {
			return err
		}
	}
	return nil
}
