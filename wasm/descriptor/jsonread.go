package descriptor

import (
	"slices"
	"strings"

	"github.com/sealbridge/sealbridge/internal/strictjson"
)

// walkObject reads data as exactly one JSON object and calls field for each
// member, in document order.
//
// encoding/json alone is too lenient for a trust boundary: into a struct it
// matches keys case-insensitively and keeps the last of duplicate keys, and
// it turns invalid UTF-8 into U+FFFD. So the whole text, payload and body
// included, is read once under the strict-JSON rule set that the sealer and
// every server decoder share (internal/strictjson: no duplicate or
// case-fold twin names, no invalid UTF-8 or lone surrogate, bounded depth,
// no trailing data), which records the members and theirs as it goes; only
// a document that passes is looked at, and the walk then refuses unknown
// keys and wrong types.
func walkObject(data []byte, f fault, known []string, field func(m member) error) error {
	t := &tree{data: data}
	if err := (strictjson.Limits{MaxBytes: len(data)}).Walk(data, t.newCursor(-1, -1)); err != nil {
		return ruleError(f, data, known, err)
	}
	if t.kind != strictjson.Object {
		return f.bad("must be a JSON object, got %s", t.kind)
	}
	for _, m := range t.members {
		if !slices.Contains(known, m.name) {
			return unknownKey(f, m.name, known)
		}
		if err := field(m); err != nil {
			return err
		}
	}
	return nil
}

func unknownKey(f fault, key string, known []string) error {
	for _, k := range known {
		if strings.EqualFold(k, key) {
			return f.bad("unknown key %s: keys are case-sensitive, use %q", short(key), k)
		}
	}
	return f.bad("unknown key %s (allowed: %s)", short(key), quoteAll(known))
}

func quoteAll(ss []string) string {
	var b []byte
	for i, s := range ss {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendString(b, s)
	}
	return string(b)
}

// readString reads a member value that must be a JSON string.
func readString(m member, f fault, name string) (string, error) {
	if m.kind != strictjson.String {
		return "", f.bad("%s must be a string, got %s", name, m.kind)
	}
	if body := m.raw[1 : len(m.raw)-1]; !hasBackslash(body) {
		// No escape: the walk has checked the literal (UTF-8, no
		// control character), so its value is its bytes between the
		// quotes, copied once.
		return string(body), nil
	}
	b, err := strictjson.Unquote(m.raw)
	if err != nil { // not reached: the walk has read the literal
		return "", f.bad("%s is not valid JSON", name)
	}
	return string(b), nil
}

// readHeaders reads a member value that must be an object of strings into hs.
func readHeaders(m member, f fault, hs *headerSet) error {
	if m.kind != strictjson.Object {
		return f.bad(`"headers" must be an object of strings, got %s`, m.kind)
	}
	hs.expect(len(m.members))
	for _, h := range m.members {
		if h.kind != strictjson.String { // the message is built only here: short quotes with fmt
			return f.bad("header %s value must be a string, got %s", short(h.name), h.kind)
		}
		value, err := readString(h, f, "header value")
		if err != nil {
			return err
		}
		if err := hs.add(h.name, value); err != nil {
			return err
		}
	}
	return nil
}

// readValue returns a member value compacted, its own bytes otherwise
// kept: the walk has read it, so it is only copied without white space.
func readValue(m member) []byte {
	return strictjson.AppendCompact(make([]byte, 0, len(m.raw)), m.raw)
}

// hasBackslash reports whether b holds an escape. A loop rather than
// bytes.IndexByte, which the module does not link otherwise.
func hasBackslash(b []byte) bool {
	for _, c := range b {
		if c == '\\' {
			return true
		}
	}
	return false
}
