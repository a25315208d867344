package intermediary

import (
	"fmt"
	"slices"
	"strings"
)

// Rule allows one method on one path template. Template is a path such as
// "/v2/sepa/beneficiaries/{id}": a segment "{name}" matches one non-empty
// segment of [A-Za-z0-9_-], any other segment matches itself exactly. A
// trailing slash is significant ("/v2/organization/" is its own rule).
// Method is upper-case and exact: "get" never matches a GET rule.
type Rule struct {
	Method   string
	Template string
}

func (r Rule) String() string { return r.Method + " " + r.Template }

// DefaultAllow is the allowlist when Config.Allow is empty: the calls the
// demo makes (the Qonto Embed SDK asks for "/v2/organization/" with the
// trailing slash).
var DefaultAllow = []Rule{
	{"GET", "/v2/organization"},
	{"GET", "/v2/organization/"},
	{"GET", "/v2/sepa/beneficiaries"},
	{"GET", "/v2/sepa/beneficiaries/{id}"},
	{"PATCH", "/v2/sepa/beneficiaries/{id}"},
	// {invoice} binds the call to the scoped token's invoice_id (see
	// Config.AuthorizeCall): a token for one invoice reads no other.
	// Without AuthorizeCall this rule forwards nothing (see InvoiceParam).
	{"GET", "/v1/invoices/{invoice}"},
}

// InvoiceParam is the placeholder that binds a call to one invoice, as in
// "/v1/invoices/{invoice}". The server's own token could read any
// invoice, so a call on a rule naming it is refused (403 forbidden)
// unless Config.AuthorizeCall is set to check that the caller may read
// that one (scoped.Guard does).
const InvoiceParam = "invoice"

// EnvAllow is the environment variable a server can read with ParseAllow.
const EnvAllow = "SEALBRIDGE_PROXY_ALLOW"

// ParseAllow reads an allowlist written as comma-separated "METHOD
// /template" entries, e.g.
//
//	GET /v2/sepa/beneficiaries,PATCH /v2/sepa/beneficiaries/{id}
//
// It refuses, naming the entry, what New would refuse: an empty list or
// entry, a method that is not upper-case letters, TRACE and CONNECT, a
// template that is not a canonical path, and duplicates.
func ParseAllow(s string) ([]Rule, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("intermediary: allowlist is empty; write entries like %q", "GET /v2/organization")
	}
	var rules []Rule
	for i, entry := range strings.Split(s, ",") {
		f := strings.Fields(entry)
		if len(f) != 2 {
			return nil, fmt.Errorf("intermediary: allowlist entry %d (%q) must be \"METHOD /path/template\"", i+1, strings.TrimSpace(entry))
		}
		rules = append(rules, Rule{Method: f[0], Template: f[1]})
	}
	if _, err := compileRules(rules); err != nil {
		return nil, err
	}
	return rules, nil
}

// rule is a compiled Rule: the template split at "/" (the first element is
// the empty string before the leading slash; a trailing slash gives a final
// empty element).
type rule struct {
	Rule
	segs []string
}

// paramSeg reports whether a template segment is a "{name}" placeholder.
func paramSeg(seg string) bool {
	return len(seg) > 2 && seg[0] == '{' && seg[len(seg)-1] == '}'
}

func compileRules(rules []Rule) ([]rule, error) {
	out := make([]rule, 0, len(rules))
	seen := map[Rule]bool{}
	for _, r := range rules {
		if err := checkRuleMethod(r.Method); err != nil {
			return nil, fmt.Errorf("intermediary: rule %q: %w", r.String(), err)
		}
		segs, err := compileTemplate(r.Template)
		if err != nil {
			return nil, fmt.Errorf("intermediary: rule %q: %w", r.String(), err)
		}
		if seen[r] {
			return nil, fmt.Errorf("intermediary: rule %q is listed twice", r.String())
		}
		seen[r] = true
		out = append(out, rule{Rule: r, segs: segs})
	}
	return out, nil
}

func checkRuleMethod(m string) error {
	if m == "" {
		return fmt.Errorf("method is empty")
	}
	for i := 0; i < len(m); i++ {
		if m[i] < 'A' || m[i] > 'Z' {
			return fmt.Errorf("method must be upper-case letters (e.g. GET, PATCH)")
		}
	}
	if m == "TRACE" || m == "CONNECT" {
		return fmt.Errorf("method %s can never be allowed", m)
	}
	return nil
}

// compileTemplate checks that t is a canonical path made of unreserved
// characters and placeholders, so that only canonical paths can match it.
func compileTemplate(t string) ([]string, error) {
	if !strings.HasPrefix(t, "/") {
		return nil, fmt.Errorf("template must start with \"/\"")
	}
	segs := strings.Split(t, "/")
	for i, seg := range segs[1:] {
		last := i == len(segs)-2
		switch {
		case seg == "" && !last:
			return nil, fmt.Errorf("template has an empty segment (\"//\")")
		case seg == "." || seg == "..":
			return nil, fmt.Errorf("template has a %q segment", seg)
		case paramSeg(seg):
			if !isParamName(seg[1 : len(seg)-1]) {
				return nil, fmt.Errorf("placeholder %s must be {name} with name of [A-Za-z0-9_]", seg)
			}
		default:
			for j := 0; j < len(seg); j++ {
				if !isUnreserved(seg[j]) {
					return nil, fmt.Errorf("template segment %q has %q; use letters, digits, '-', '.', '_', '~' or a {placeholder}", seg, seg[j])
				}
			}
		}
	}
	return segs, nil
}

func isParamName(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '_' {
			return false
		}
	}
	return s != ""
}

// match reports whether the canonical path p (no query) matches r.
func (r rule) match(p string) bool {
	n := strings.Count(p, "/") + 1
	if n != len(r.segs) {
		return false
	}
	for _, seg := range r.segs {
		var got string
		got, p, _ = strings.Cut(p, "/")
		if paramSeg(seg) {
			if !isParamValue(got) {
				return false
			}
		} else if got != seg {
			return false
		}
	}
	return true
}

// params returns the value each placeholder of r took in p, a path r
// matches.
func (r rule) params(p string) map[string]string {
	var out map[string]string
	for _, seg := range r.segs {
		var got string
		got, p, _ = strings.Cut(p, "/")
		if paramSeg(seg) {
			if out == nil {
				out = map[string]string{}
			}
			out[seg[1:len(seg)-1]] = got
		}
	}
	return out
}

// isParamValue: one non-empty segment of [A-Za-z0-9_-].
func isParamValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '_' && c != '-' {
			return false
		}
	}
	return s != ""
}

// lookup finds the rule for method on path. When none matches, allowed
// lists (sorted) the methods allowed on path, empty if the path matches no
// template at all.
func lookup(rules []rule, method, path string) (match *rule, allowed []string) {
	for i := range rules {
		r := &rules[i]
		if !r.match(path) {
			continue
		}
		if r.Method == method {
			return r, nil
		}
		if !slices.Contains(allowed, r.Method) {
			allowed = append(allowed, r.Method)
		}
	}
	slices.Sort(allowed)
	return nil, allowed
}
