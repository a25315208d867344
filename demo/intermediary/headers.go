package intermediary

import (
	"fmt"
	"strings"
)

// DefaultForwardHeaders are the descriptor headers forwarded when
// Config.ForwardHeaders is empty: content negotiation, idempotency keys and
// Qonto's 2FA/SCA headers. Everything else in a descriptor is dropped.
var DefaultForwardHeaders = []string{
	"accept",
	"accept-language",
	"content-type",
	"idempotency-key",
	"x-qonto-2fa-preference",
	"x-qonto-idempotency-key",
	"x-qonto-sca-session-token",
}

// neverForwarded are descriptor headers that are dropped even when
// allowlisted (New refuses to allowlist them): credentials the server adds
// itself, routing headers a proxy would trust, and hop-by-hop headers
// (RFC 9110 §7.6.1). The Qonto SDK puts "authorization: Bearer undefined"
// in every descriptor, so these are dropped silently, not refused.
var neverForwarded = map[string]bool{
	"authorization":     true,
	"connection":        true,
	"content-length":    true,
	"cookie":            true,
	"expect":            true,
	"forwarded":         true,
	"host":              true,
	"keep-alive":        true,
	"origin":            true,
	"set-cookie":        true,
	"te":                true,
	"trailer":           true,
	"transfer-encoding": true,
	"upgrade":           true,
	"via":               true,
	"x-real-ip":         true,
}

// neverForwardedPrefixes extends neverForwarded to header families.
var neverForwardedPrefixes = []string{"x-forwarded-", "proxy-", "x-qonto-staging"}

// headerFilter keeps the allowlisted descriptor headers.
type headerFilter struct {
	allow   map[string]bool
	staging string // the staging header, lower-case
}

func newHeaderFilter(names []string, stagingHeader string) (headerFilter, error) {
	f := headerFilter{allow: map[string]bool{}, staging: strings.ToLower(stagingHeader)}
	for _, n := range names {
		l := strings.ToLower(n)
		if l == "" || strings.ContainsAny(l, " \t\r\n:") {
			return headerFilter{}, fmt.Errorf("intermediary: ForwardHeaders: %q is not a header name", n)
		}
		if f.denied(l) {
			return headerFilter{}, fmt.Errorf("intermediary: ForwardHeaders: %q can never be forwarded (credential, routing or hop-by-hop header)", n)
		}
		f.allow[l] = true
	}
	return f, nil
}

func (f headerFilter) denied(lower string) bool {
	if neverForwarded[lower] || lower == f.staging {
		return true
	}
	for _, p := range neverForwardedPrefixes {
		if strings.HasPrefix(lower, p) {
			return true
		}
	}
	return false
}

// keep returns the allowlisted headers of a decoded descriptor (whose
// names descriptor.Decode has already lower-cased).
func (f headerFilter) keep(in map[string]string) map[string]string {
	out := make(map[string]string, len(in))
	for name, v := range in {
		if f.allow[name] && !f.denied(name) {
			out[name] = v
		}
	}
	return out
}
