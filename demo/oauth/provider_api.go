package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/sealbridge/sealbridge/demo/apierr"
	"github.com/sealbridge/sealbridge/demo/session"
)

// maxProviderBody bounds what is read from the provider.
const maxProviderBody = 1 << 20

type providerResponse struct {
	status int
	header http.Header
	body   []byte
}

func (r *providerResponse) decode(v any) error { return json.Unmarshal(r.body, v) }

// errorCode reads the provider's {"code": ...} error body: one of
// knownProviderCodes, "unrecognised" for any other code, or "". Nothing
// else of a provider's error reaches the page or the log: a provider that
// echoes the request would put the session's access token in its text,
// where no key-based redaction can see it.
func (r *providerResponse) errorCode() string {
	var e struct {
		Code string `json:"code"`
	}
	_ = json.Unmarshal(r.body, &e)
	switch {
	case e.Code == "":
		return ""
	case knownProviderCodes[e.Code]:
		return e.Code
	}
	return "unrecognised"
}

// knownProviderCodes are the error codes of the provider APIs Flows calls
// (the sandbox's, which are Mbanq-style ones).
var knownProviderCodes = map[string]bool{
	"RESTRICTED": true, "TWO_FACTOR_NOT_REQUIRED": true, "INVALID_DELIVERY_METHOD": true,
	"OTP_INVALID": true, "TOO_MANY_ATTEMPTS": true, "invalid_token": true, "invalid_request": true,
	"forbidden": true, "not_found": true, "bad_json": true, "too_large": true, "internal": true,
}

// providerContext is the provider's /auth/context answer: who the
// access token speaks for.
type providerContext struct {
	UserID  string `json:"userId"`
	Profile string `json:"profile"`
	Email   string `json:"email"`
	Name    string `json:"name"`
}

// send calls the provider with an access token. The token goes in the
// Authorization header only, never in the URL, so a *url.Error cannot
// carry it.
func (f *Flows) send(ctx context.Context, accessToken, method, path string, body []byte) (*providerResponse, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, f.base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := f.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, maxProviderBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxProviderBody {
		return nil, errors.New("provider answer too large")
	}
	return &providerResponse{status: res.StatusCode, header: res.Header, body: b}, nil
}

// call sends a request for session id with its access token, renewing the
// token when it has expired, and once more when the provider answers 401.
func (f *Flows) call(ctx context.Context, id, method, path string, body []byte) (*providerResponse, *flowError) {
	p, ferr := f.accessToken(ctx, id, "")
	if ferr != nil {
		return nil, ferr
	}
	res, err := f.send(ctx, p.AccessToken, method, path, body)
	if err == nil && res.status == http.StatusUnauthorized {
		if p, ferr = f.accessToken(ctx, id, p.AccessToken); ferr != nil {
			return nil, ferr
		}
		res, err = f.send(ctx, p.AccessToken, method, path, body)
		if err == nil && res.status == http.StatusUnauthorized {
			f.endProvider(ctx, id, p)
			f.log.Warn("oauth: provider refuses a freshly renewed token; provider session ended", "path", path)
			return nil, errReauth
		}
	}
	if err != nil {
		f.log.Warn("oauth: provider call failed", "path", path, "error", err)
		return nil, errUpstream("the provider could not be reached; try again later")
	}
	return res, nil
}

// resourceError maps a provider's non-2xx answer to what the page gets.
// 403 RESTRICTED (Mbanq-style) is the provider asking for a new OTP.
func (f *Flows) resourceError(ctx context.Context, id string, res *providerResponse) *flowError {
	switch {
	case res.status == http.StatusForbidden && res.errorCode() == "RESTRICTED":
		f.setRestricted(ctx, id, true)
		return errMFA
	case res.status == http.StatusTooManyRequests:
		e := newFlowError(http.StatusTooManyRequests, apierr.RateLimited, "too many attempts; wait and try again")
		e.retryAfter = validRetryAfter(res.header.Get("Retry-After"))
		return e
	case res.status >= 500:
		return errUpstream("the provider failed; try again later")
	default:
		f.log.Warn("oauth: provider refused a call", "status", res.status, "error_code", res.errorCode())
		return errUpstream(fmt.Sprintf("the provider refused the request (HTTP %d)", res.status))
	}
}

// Me serves GET /api/me: {"connected":false}, or {"connected":true,
// "user":{userId, profile, email, name}, "mfaRequired":false} from the
// provider's /auth/context. Errors: 403 mfa_required when the provider
// wants an OTP, 401 reauth_required when the provider session ended, 502
// upstream_unavailable.
func (f *Flows) Me(w http.ResponseWriter, r *http.Request) {
	sess, err := f.sessions.Find(r)
	if err != nil {
		flowsWriteError(w, sessionError(err))
		return
	}
	if sess == nil || sess.Provider == nil {
		flowsWriteJSON(w, http.StatusOK, map[string]any{"connected": false})
		return
	}
	res, ferr := f.call(r.Context(), sess.ID, http.MethodGet, f.paths.Context, nil)
	if ferr == nil && res.status != http.StatusOK {
		ferr = f.resourceError(r.Context(), sess.ID, res)
	}
	var who providerContext
	if ferr == nil && res.decode(&who) != nil {
		ferr = errUpstream("the provider's answer could not be read")
	}
	if ferr != nil {
		flowsWriteError(w, ferr)
		return
	}
	f.setRestricted(r.Context(), sess.ID, false)
	flowsWriteJSON(w, http.StatusOK, map[string]any{"connected": true, "user": who, "mfaRequired": false})
}

// Accounts serves GET /api/accounts: the provider's /v1/accounts answer,
// fetched with the session's token. Errors as for Me.
func (f *Flows) Accounts(w http.ResponseWriter, r *http.Request) {
	sess, err := f.sessions.Find(r)
	if err != nil || sess == nil || sess.Provider == nil {
		flowsWriteError(w, sessionError(err))
		return
	}
	res, ferr := f.call(r.Context(), sess.ID, http.MethodGet, f.paths.Accounts, nil)
	if ferr == nil && res.status != http.StatusOK {
		ferr = f.resourceError(r.Context(), sess.ID, res)
	}
	if ferr == nil && !json.Valid(res.body) {
		ferr = errUpstream("the provider's answer is not JSON")
	}
	if ferr != nil {
		flowsWriteError(w, ferr)
		return
	}
	f.setRestricted(r.Context(), sess.ID, false)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(res.body)
}

// Logout serves POST /api/logout: "Disconnect" the provider account. Its
// tokens leave the session and are then revoked at the provider (Revoke,
// best effort); the app session itself stays, so the page's other panels
// keep working. Always {"ok":true}.
func (f *Flows) Logout(w http.ResponseWriter, r *http.Request) {
	if sess := f.sessions.Lookup(r); sess != nil {
		var dropped *session.ProviderTokens
		// A session deleted meanwhile has nothing left to disconnect.
		_ = f.sessions.Store.Update(r.Context(), sess.ID, func(s *session.Session) error {
			dropped = s.Provider
			s.Provider, s.Pending = nil, nil
			return nil
		})
		_ = f.Revoke(r.Context(), dropped)
		f.log.Info("oauth: provider account disconnected")
	}
	flowsWriteJSON(w, http.StatusOK, map[string]bool{"ok": true})
}
