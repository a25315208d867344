package intermediary

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/sealbridge/sealbridge/demo/apierr"
	"github.com/sealbridge/sealbridge/wasm/descriptor"
	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// outcome is what one call's log line says. It never holds the tokens, the
// descriptor, its path or query, or an error's text.
type outcome struct {
	method   string // the descriptor's method, once it is a valid token
	template string // the allowlist rule that matched
	status   int
	code     apierr.Code
	upstream int    // the provider's status, 0 if none
	kind     string // upstream error kind
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := h.now()
	var o outcome
	defer func() { h.logOutcome(r.Context(), &o, time.Since(start)) }()

	f := h.serve(w, r, &o)
	if f != nil {
		o.status, o.code, o.kind = f.status, f.code, f.kind
		h.fail(w, f)
	}
}

// serve runs every check in order and forwards the call. It returns the
// failure to write, or nil once it has written the provider's answer.
func (h *handler) serve(w http.ResponseWriter, r *http.Request, o *outcome) *failure {
	if r.Method != http.MethodPost {
		// Safe methods would also skip CrossOriginProtection.
		f := fail(http.StatusMethodNotAllowed, apierr.MethodNotAllowed, "call the intermediary with POST")
		f.header = map[string]string{"Allow": http.MethodPost}
		return f
	}
	if r.Header.Get(CSRFHeader) == "" || h.cop.Check(r) != nil {
		return csrfFailure()
	}
	if h.cfg.Authenticate == nil || !h.cfg.Authenticate(r) {
		return fail(http.StatusUnauthorized, apierr.Unauthenticated, "not signed in: the intermediary serves signed-in callers only; send the session cookie")
	}
	if h.cfg.VerifyCaller != nil {
		if err := h.cfg.VerifyCaller(r); err != nil {
			return callerFailure(err)
		}
	}
	text, f := h.readDescriptor(w, r)
	if f != nil {
		return f
	}
	out, call, f := h.check(text, o)
	if f != nil {
		return f
	}
	if f := h.authorize(r, call); f != nil {
		return f
	}

	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.Timeout)
	defer cancel()
	up, f := h.forward(ctx, out)
	o.upstream = up.status
	if f != nil {
		return f
	}
	o.status = up.status
	writeText(w, up.status, up.body)
	return nil
}

// check decodes and validates the descriptor and returns the dispatch
// body that carries it re-encoded in canonical form with only the
// allowlisted headers, and the call it makes.
func (h *handler) check(text string, o *outcome) ([]byte, Call, *failure) {
	req, err := descriptor.Decode(text, descriptor.Limits{MaxEncoded: int(h.cfg.MaxBody)})
	if err != nil {
		if sberr.CodeOf(err) == sberr.PayloadTooLarge {
			return nil, Call{}, fail(http.StatusRequestEntityTooLarge, apierr.PayloadTooLarge, sberr.As(err).Message)
		}
		// descriptor's messages name keys and positions, never values.
		return nil, Call{}, fail(http.StatusBadRequest, apierr.BadDescriptor, sberr.As(err).Message)
	}
	if len(req.Method) <= 16 {
		o.method = req.Method
	}
	p, q, err := canonicalTarget(req.Path)
	if err != nil {
		return nil, Call{}, fail(http.StatusBadRequest, apierr.BadDescriptor, "request descriptor: "+err.Error())
	}
	var call Call
	match, allowed := lookup(h.rules, req.Method, p)
	switch {
	case match != nil:
		o.template = match.Template
		call = Call{Method: req.Method, Template: match.Template, Params: match.params(p)}
	case len(allowed) == 0:
		return nil, Call{}, fail(http.StatusForbidden, apierr.PathNotAllowed, "this path is not on the intermediary's allowlist (Config.Allow / "+EnvAllow+")")
	default:
		return nil, Call{}, methodFailure(req.Method, allowed)
	}
	target := p
	if q != "" {
		target += "?" + q
	}
	// The provider's body, {"data":"<descriptor>"}, written in one buffer
	// (base64 needs no JSON escaping) sized from the descriptor read: the
	// canonical form drops headers and white space and adds no escape, so
	// it is rarely longer (and then the buffer grows).
	body := append(make([]byte, 0, len(`{"data":""}`)+len(text)), `{"data":"`...)
	body, err = descriptor.AppendEncode(body, descriptor.Request{
		Method:  req.Method,
		Headers: h.headers.keep(req.Headers),
		Path:    target,
		Payload: req.Payload,
	})
	if err != nil { // not reached: every field was decoded and checked above
		return nil, Call{}, fail(http.StatusBadRequest, apierr.BadDescriptor, sberr.As(err).Message)
	}
	return append(body, `"}`...), call, nil
}

// authorize runs Config.AuthorizeCall on a matched call. Without one, a
// rule naming {invoice} forwards nothing: nobody would check that the
// caller may read that invoice with the server's token.
func (h *handler) authorize(r *http.Request, call Call) *failure {
	if h.cfg.AuthorizeCall != nil {
		if err := h.cfg.AuthorizeCall(r, call); err != nil {
			return callerFailure(err)
		}
		return nil
	}
	if _, named := call.Params[InvoiceParam]; named {
		return fail(http.StatusForbidden, apierr.Forbidden, "this rule names {invoice} but the intermediary has no Config.AuthorizeCall to bind the invoice to the caller, so it forwards no such call")
	}
	return nil
}

// callerFailure maps a VerifyCaller error. Its text is not shown: it may
// describe the token.
func callerFailure(err error) *failure {
	if errors.Is(err, apierr.ErrStoreUnavailable) {
		f := fail(http.StatusServiceUnavailable, apierr.SessionStoreUnavailable, "the session store cannot be reached; nothing was sent to the provider: retry in a few seconds")
		f.header = map[string]string{"Retry-After": "5"}
		return f
	}
	if errors.Is(err, ErrInvalidToken) || sberr.CodeOf(err) == sberr.Code(apierr.InvalidToken) {
		f := fail(http.StatusUnauthorized, apierr.InvalidToken, "the bearer token is expired or invalid; get a new one (onAccessTokenExpired) and retry")
		f.header = map[string]string{"WWW-Authenticate": `Bearer error="invalid_token"`}
		return f
	}
	if errors.Is(err, apierr.ErrOutOfScope) {
		// Not invalid_token: a renewed token for the same invoice would
		// be refused again, so the page must not loop on renewals.
		return fail(http.StatusForbidden, apierr.Forbidden, "the scoped token does not cover this call (another customer or invoice): get a token for the invoice in the path")
	}
	return fail(http.StatusForbidden, apierr.Forbidden, "this caller may not use the intermediary")
}

// logOutcome writes one line per call. slog's handlers quote values, so a
// hostile method cannot forge log lines.
func (h *handler) logOutcome(ctx context.Context, o *outcome, d time.Duration) {
	level := slog.LevelInfo
	if o.status >= 500 {
		level = slog.LevelWarn
	}
	if !h.log.Enabled(ctx, level) {
		return // nothing to build the line for
	}
	attrs := []slog.Attr{slog.Int("status", o.status), slog.Int64("ms", d.Milliseconds())}
	if o.method != "" {
		attrs = append(attrs, slog.String("method", o.method))
	}
	if o.template != "" {
		attrs = append(attrs, slog.String("template", o.template))
	}
	if o.code != "" {
		attrs = append(attrs, slog.String("code", string(o.code)))
	}
	if o.upstream != 0 {
		attrs = append(attrs, slog.Int("upstream_status", o.upstream))
	}
	if o.kind != "" {
		attrs = append(attrs, slog.String("error_kind", o.kind))
	}
	h.log.LogAttrs(ctx, level, "intermediary", attrs...)
}
