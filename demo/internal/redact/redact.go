// Package redact keeps secrets out of the dev server's logs: a slog handler
// and a ReplaceAttr that mask sensitive attributes (tokens, passwords,
// one-time passwords, client secrets, PKCE verifiers, cookies, session
// ids) and render errors without URL queries or token-endpoint bodies
// (an OAuth 2.0 token endpoint may echo credentials, RFC 6749 §5.2).
package redact

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
)

// Redacted replaces the value of every sensitive log attribute.
const Redacted = "[REDACTED]"

// sensitiveKeyParts: an attribute whose key, lower-cased and without
// '-', '_', '.' and spaces, contains one of these is masked. Broad on
// purpose ("tokens_issued" is masked too): a log line missing a count is
// cheap, a leaked token is not.
var sensitiveKeyParts = []string{
	"token", "password", "passwd", "secret", "otp", "verifier",
	"authorization", "cookie", "credential", "apikey", "sessionid",
}

// sensitiveKeys are masked only on an exact (normalised) match: "code" is
// an authorization code in OAuth parameters. Log error codes as
// "error_code".
var sensitiveKeys = []string{"code", "authcode", "session", "sid"}

func sensitiveKey(k string) bool {
	n := strings.Map(func(r rune) rune {
		switch r {
		case '-', '_', '.', ' ':
			return -1
		}
		return r
	}, strings.ToLower(k))
	for _, p := range sensitiveKeyParts {
		if strings.Contains(n, p) {
			return true
		}
	}
	for _, e := range sensitiveKeys {
		if n == e {
			return true
		}
	}
	return false
}

// ReplaceAttr is a slog.HandlerOptions.ReplaceAttr that masks sensitive
// attributes (tokens, passwords, OTPs, secrets, PKCE verifiers,
// authorization headers, cookies, session ids), turns errors into text
// without URLs' query strings or token-endpoint bodies, and drops query
// strings from *url.URL values:
//
//	slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{ReplaceAttr: redact.ReplaceAttr}))
func ReplaceAttr(_ []string, a slog.Attr) slog.Attr { return redactAttr(a) }

func redactAttr(a slog.Attr) slog.Attr {
	a.Value = a.Value.Resolve()
	if sensitiveKey(a.Key) {
		return slog.String(a.Key, Redacted)
	}
	switch a.Value.Kind() {
	case slog.KindGroup:
		attrs := a.Value.Group()
		out := make([]slog.Attr, len(attrs))
		for i, g := range attrs {
			out[i] = redactAttr(g)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(out...)}
	case slog.KindAny:
		switch v := a.Value.Any().(type) {
		case error:
			return slog.String(a.Key, SafeError(v))
		case *url.URL:
			return slog.String(a.Key, safeURL(v))
		case url.URL:
			return slog.String(a.Key, safeURL(&v))
		}
	}
	return a
}

// NewHandler wraps next so that every attribute, including those
// added with Logger.With, goes through ReplaceAttr. oauth.Flows wraps the logger it
// is given with it; wrap the dev server's root logger with it too.
func NewHandler(next slog.Handler) slog.Handler {
	if _, ok := next.(*redactHandler); ok {
		return next
	}
	return &redactHandler{next: next}
}

type redactHandler struct{ next slog.Handler }

func (h *redactHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *redactHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *redactHandler) WithAttrs(as []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(as))
	for i, a := range as {
		out[i] = redactAttr(a)
	}
	return &redactHandler{next: h.next.WithAttrs(out)}
}

func (h *redactHandler) WithGroup(name string) slog.Handler {
	return &redactHandler{next: h.next.WithGroup(name)}
}

// SafeError renders err for a log line. *url.Error prints its URL, whose
// query may carry a code or a token, and *oauth2.RetrieveError prints the
// token endpoint's body, which may echo credentials: both are reduced to
// what is safe.
func SafeError(err error) string {
	if err == nil {
		return ""
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		switch {
		case tokenErrorCodes[re.ErrorCode]:
			return fmt.Sprintf("token endpoint answered %d %s", status, re.ErrorCode)
		case re.ErrorCode != "":
			// Any other "error" is the endpoint's own text, which may echo
			// the request (the client's Basic credentials).
			return fmt.Sprintf("token endpoint answered %d with an unrecognised error code", status)
		}
		return fmt.Sprintf("token endpoint answered %d", status)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		u, perr := url.Parse(ue.URL)
		where := "(unparsable URL)"
		if perr == nil {
			where = safeURL(u)
		}
		return ue.Op + " " + where + ": " + SafeError(ue.Err)
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "oauth2: cannot parse") {
		// x/oauth2's parse errors for a 2xx answer quote parts of it
		// (a JSON string where a number belongs, say), which may echo
		// the request.
		return "oauth2: the token endpoint's answer could not be parsed"
	}
	return msg
}

// tokenErrorCodes are RFC 6749 §5.2's error codes, plus the two of
// §4.1.2.1 some servers also answer with: the only values of a token
// endpoint's "error" that are logged as they are.
var tokenErrorCodes = map[string]bool{
	"invalid_request": true, "invalid_client": true, "invalid_grant": true, "unauthorized_client": true,
	"unsupported_grant_type": true, "invalid_scope": true, "temporarily_unavailable": true, "server_error": true,
}

// safeURL is u without userinfo, query or fragment.
func safeURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	c.RawQuery = ""
	c.ForceQuery = false
	c.Fragment = ""
	c.RawFragment = ""
	return c.String()
}
