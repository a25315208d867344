package client

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// Call is one API call as page code describes it.
type Call struct {
	Method  string
	Path    string // relative to the provider API, e.g. "/v2/sepa/beneficiaries/42"
	Query   map[string]string
	Headers map[string]string
	Body    json.RawMessage // nil: no body
	Seal    []string        // JSON Pointers into Body to seal before sending; nil: none asked, empty: refused
}

// Result is a call's answer.
type Result struct {
	Status  int
	Headers map[string]string
	Body    json.RawMessage // JSON; null when the answer had no body
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
	if c.Body != nil && !json.Valid(c.Body) {
		return sberr.New(sberr.InvalidArgument, "body must be JSON")
	}
	return nil
}

// withQuery appends q to path in a stable (sorted) order.
func withQuery(path string, q map[string]string) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	v := url.Values{}
	for _, k := range keys {
		v.Add(k, q[k])
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + v.Encode()
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
	var body struct {
		Code string `json:"code"`
	}
	return json.Unmarshal(r.Body, &body) == nil && body.Code == "invalid_token"
}

func httpError(c *Call, r *Result) error {
	msg := fmt.Sprintf("%s %s answered HTTP %d", c.Method, c.Path, r.Status)
	var body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(r.Body, &body) == nil && body.Message != "" {
		msg += ": " + body.Message
	}
	if r.Status == 428 {
		msg += " (strong customer authentication required)"
	}
	code, hint := sberr.HTTPError, ""
	switch body.Code {
	case "RESTRICTED": // Mbanq-style: the 2FA window ran out
		code, hint = sberr.MFARequired, "; ask the user for a new one-time password"
	case "unknown_kid": // Powens-style: the provider rotated its key
		code, hint = sberr.KeyUnknown, "; fetch the key again and seal again"
	}
	e := sberr.New(code, "%s%s", msg, hint)
	e.Status, e.Body = r.Status, r.Body
	return e
}
