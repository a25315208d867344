package client

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sealbridge/sealbridge/internal/strictjson"
	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// Call is one API call as page code describes it.
type Call struct {
	Method  string
	Path    string // relative to the provider API, e.g. "/v2/sepa/beneficiaries/42"
	Query   map[string]string
	Headers map[string]string
	Body    []byte   // JSON; nil: no body
	Seal    []string // JSON Pointers into Body to seal before sending; nil: none asked, empty: refused
}

// Result is a call's answer.
type Result struct {
	Status  int
	Headers map[string]string
	Body    []byte // JSON; null when the answer had no body
}

// normalize checks the call and folds Query into Path.
func (c *Call) normalize() error {
	if c.Method == "" {
		c.Method = "GET"
	}
	c.Method = strings.ToUpper(c.Method)
	if !strings.HasPrefix(c.Path, "/") || strings.HasPrefix(c.Path, "//") || strings.ContainsAny(c.Path, "\\\r\n\x00") {
		return sberr.New(sberr.InvalidArgument, "path must be relative to the provider API and start with one \"/\", e.g. \"/v2/organization\"; got %q", c.Path)
	}
	if len(c.Query) > 0 {
		c.Path = withQuery(c.Path, c.Query)
	}
	// A body to seal is checked after sealing (Client.Do): the sealer's
	// own rules come first, since its refusals name the pointer concerned.
	if c.Body != nil && c.Seal == nil {
		return checkBody(c.Body)
	}
	return nil
}

// checkBody reads a call's body under the strict-JSON rules, which the
// sealer and the intermediary apply to it too: whatever mode sends it, a
// body with a member twice, twins under case folding, broken UTF-8 or a
// lone surrogate is refused before it leaves the page.
func checkBody(body []byte) error {
	err := strictjson.Limits{MaxBytes: len(body)}.Validate(body)
	switch {
	case err == nil:
		return nil
	case strictjson.NotJSON(err):
		return sberr.New(sberr.InvalidArgument, "body must be JSON")
	}
	return sberr.New(sberr.InvalidArgument, "body: %v; every reader must see one member per name and exactly the text sent, so fix the body", err)
}

// withQuery appends q to path in a stable (sorted) order, each name and
// value escaped as url.Values.Encode does it (queryEscape, "=" and "&"):
// the same bytes, without a map of slices to build first.
func withQuery(path string, q map[string]string) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString(path)
	sep := byte('?')
	if strings.Contains(path, "?") {
		sep = '&'
	}
	for _, k := range keys {
		b.WriteByte(sep)
		b.WriteString(queryEscape(k))
		b.WriteByte('=')
		b.WriteString(queryEscape(q[k]))
		sep = '&'
	}
	return b.String()
}

// invalidToken reports a 401 that blames the token (RFC 6750
// error="invalid_token", in the header or the JSON body).
func (r *Result) invalidToken() bool {
	if r == nil || r.Status != 401 {
		return false
	}
	if strings.Contains(r.Headers["www-authenticate"], "invalid_token") {
		return true
	}
	code, _, ok := errorBody(r.Body)
	return ok && code == "invalid_token"
}

func httpError(c *Call, r *Result) error {
	msg := fmt.Sprintf("%s %s answered HTTP %d", c.Method, c.Path, r.Status)
	code, message, ok := errorBody(r.Body)
	if ok && message != "" {
		msg += ": " + message
	}
	if r.Status == 428 {
		msg += " (strong customer authentication required)"
	}
	errCode, hint := sberr.HTTPError, ""
	switch code {
	case "RESTRICTED": // Mbanq-style: the 2FA window ran out
		errCode, hint = sberr.MFARequired, "; ask the user for a new one-time password"
	case "unknown_kid": // Powens-style: the provider rotated its key
		errCode, hint = sberr.KeyUnknown, "; fetch the key again and seal again"
	}
	e := sberr.New(errCode, "%s%s", msg, hint)
	e.Status, e.Body = r.Status, r.Body
	return e
}

// errorBody reads the code and message members of an error answer's body
// (an object; other members are ignored) as encoding/json reads them into
// a struct with two string fields: names matched case-insensitively, the
// exact name first; null leaves a field empty. ok is false, as Unmarshal
// would fail, when the body is no object or either member is neither a
// string nor null; the other member is still read.
func errorBody(body []byte) (code, message string, ok bool) {
	m, err := strictjson.Limits{MaxBytes: len(body)}.DecodeObject(body)
	if err != nil {
		return "", "", false
	}
	code, okCode := stringField(m, "code")
	message, okMessage := stringField(m, "message")
	return code, message, okCode && okMessage
}

func stringField(m strictjson.Members, name string) (string, bool) {
	v, _, found := m.Lookup(name)
	switch {
	case !found || strictjson.KindAt(v) == strictjson.Null:
		return "", true
	case strictjson.KindAt(v) != strictjson.String:
		return "", false
	}
	s, err := strictjson.Unquote(v)
	return string(s), err == nil
}

// queryEscape is url.QueryEscape: every byte but ASCII letters, digits and
// "-_.~" as %XX (upper-case hex), a space as "+". It is written here, and
// held to url.QueryEscape byte for byte by FuzzQueryEscape, because the
// module's one use of net/url was this: importing the package linked
// net/netip, unique and weak too, whose start-up code ran in every page
// (18 KB of brotli, 109 KB of code). An encoder, not a parser: nothing
// here reads a URL.
func queryEscape(s string) string {
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b = append(b, c)
		case c == ' ':
			b = append(b, '+')
		default:
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}
