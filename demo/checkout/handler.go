package checkout

import (
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"time"

	"github.com/sealbridge/sealbridge/demo/apierr"
	"github.com/sealbridge/sealbridge/demo/internal/httpjson"
	"github.com/sealbridge/sealbridge/demo/session"
	"github.com/sealbridge/sealbridge/internal/strictdecode"
	"github.com/sealbridge/sealbridge/internal/strictjson"
)

// checkoutMaxRequest bounds the page's body; {"invoice_id": ...} is tiny.
const checkoutMaxRequest = 4 << 10

// checkoutTokenResponse is the only thing the page ever gets on success.
type checkoutTokenResponse struct {
	Token string `json:"token"`
}

// errBody is the JSON error the page gets.
func errBody(code apierr.Code, msg string) apierr.Error {
	return apierr.Error{Code: string(code), Message: msg}
}

// ServeHTTP handles POST /api/checkout-token.
func (m *Minter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		checkoutWrite(w, http.StatusMethodNotAllowed, errBody(apierr.MethodNotAllowed, "use POST"))
		return
	}
	sess := session.From(r.Context())
	if sess == nil {
		checkoutWrite(w, http.StatusUnauthorized, errBody(apierr.Unauthenticated, "not signed in: sign in first (POST /api/session) and send the session cookie"))
		return
	}
	invoiceID, fail := readCheckoutRequest(w, r)
	if fail != nil {
		m.logOutcome(r, sess.User, "", "bad_request", fail.status, 0, start)
		checkoutWrite(w, fail.status, fail.body)
		return
	}
	customerID, ok := m.owns(sess.User, invoiceID)
	if !ok {
		// Decided here, before any provider call: the provider would mint a
		// token for any of the partner's customers.
		m.logOutcome(r, sess.User, invoiceID, "forbidden", http.StatusForbidden, 0, start)
		checkoutWrite(w, http.StatusForbidden, errBody(apierr.Forbidden, "this invoice does not belong to the signed-in user"))
		return
	}
	tok, fail := m.mint(r.Context(), customerID, invoiceID)
	if fail != nil {
		m.logOutcome(r, sess.User, invoiceID, fail.outcome, fail.status, fail.upstream, start, fail.attrs...)
		checkoutWrite(w, fail.status, fail.body)
		return
	}
	m.logOutcome(r, sess.User, invoiceID, "minted", http.StatusOK, http.StatusOK, start)
	checkoutWrite(w, http.StatusOK, checkoutTokenResponse{Token: tok})
}

// checkoutFailure is a refused or failed mint: what the page sees (status,
// body) and what the log says (outcome, upstream status, safe attributes).
type checkoutFailure struct {
	status   int
	body     apierr.Error
	outcome  string
	upstream int
	attrs    []slog.Attr
}

// readCheckoutRequest reads {"invoice_id": "..."}: JSON only (a cross-site
// form cannot send it without a preflight), bounded, under the strict-JSON
// rule set.
func readCheckoutRequest(w http.ResponseWriter, r *http.Request) (string, *checkoutFailure) {
	bad := func(status int, code apierr.Code, msg string) (string, *checkoutFailure) {
		return "", &checkoutFailure{status: status, body: errBody(code, msg)}
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return bad(http.StatusUnsupportedMediaType, apierr.UnsupportedMedia, "send Content-Type: application/json")
	}
	var req struct {
		InvoiceID string `json:"invoice_id"`
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, checkoutMaxRequest))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return bad(http.StatusRequestEntityTooLarge, apierr.PayloadTooLarge, "the body must be under 4 KiB")
	}
	if err != nil {
		return bad(http.StatusBadRequest, apierr.InvalidArgument, `the body must be {"invoice_id": "<id>"}`)
	}
	if err := strictdecode.Unmarshal(raw, &req); err != nil {
		if errors.Is(err, strictjson.ErrTrailingData) {
			return bad(http.StatusBadRequest, apierr.InvalidArgument, `the body must be one JSON object {"invoice_id": "<id>"}`)
		}
		return bad(http.StatusBadRequest, apierr.InvalidArgument, `the body must be {"invoice_id": "<id>"}`)
	}
	if !checkoutValidID(req.InvoiceID) {
		return bad(http.StatusBadRequest, apierr.InvalidArgument, "invoice_id must be 1 to 64 letters, digits, '_' or '-'")
	}
	return req.InvoiceID, nil
}

// checkoutValidID keeps ids to a safe alphabet, so that they can be logged
// and sent on as they are.
func checkoutValidID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
		if !ok {
			return false
		}
	}
	return true
}

func checkoutWrite(w http.ResponseWriter, status int, v any) { httpjson.Write(w, status, v) }

// logOutcome writes the one log line per request. It takes ids and
// statuses only: no token, secret, header, URL or error text reaches it.
func (m *Minter) logOutcome(r *http.Request, user, invoiceID, outcome string, status, upstream int, start time.Time, extra ...slog.Attr) {
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelWarn
	}
	attrs := append([]slog.Attr{
		slog.String("user", user),
		slog.String("invoice_id", invoiceID),
		slog.String("outcome", outcome),
		slog.Int("status", status),
		slog.Int("upstream_status", upstream),
		slog.Duration("duration", time.Since(start)),
	}, extra...)
	m.log.LogAttrs(r.Context(), level, "checkout token", attrs...)
}
