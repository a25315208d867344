package sandbox

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// TOTP parameters (RFC 6238 defaults, what authenticator apps expect).
const (
	totpStep   = 30 * time.Second
	totpDigits = 6
)

// mfaDeliveryMethods are the methods the sandbox advertises (a Mbanq-style
// provider's mfaDeliveryMethods). Both accept the same TOTP code: "email" is
// the inbox page, which shows it.
var mfaDeliveryMethods = []string{"TOTP", "email"}

// hotp is RFC 4226 §5.3, truncated to totpDigits. Written by hand: a dozen
// lines of crypto/hmac rather than a dependency.
func hotp(secret []byte, counter uint64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac := hmac.New(sha1.New, secret)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", totpDigits, v%uint32(math.Pow10(totpDigits)))
}

// totpStepAt is RFC 6238 §4.2's T with T0 = 0.
func totpStepAt(t time.Time) uint64 { return uint64(t.Unix() / int64(totpStep/time.Second)) }

// CurrentOTP returns the one-time password the named 2FA user's
// authenticator shows now, or "" for an unknown user or one without 2FA.
// For tests and the inbox page.
func (s *Sandbox) CurrentOTP(username string) string {
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	u := s.oauth.users[username]
	if u == nil || !u.TwoFactor {
		return ""
	}
	return hotp(u.totpSecret, totpStepAt(s.now()))
}

// verifyOTP accepts the code of the current step or the previous one
// (RFC 6238 §5.2 allows one step of network delay), but only a step newer
// than the last accepted one: each OTP works once. Callers hold o.mu.
func verifyOTP(u *sbxUser, code string, now time.Time) (uint64, bool) {
	if len(code) != totpDigits {
		return 0, false
	}
	cur := totpStepAt(now)
	ok, step := false, uint64(0)
	for _, st := range []uint64{cur, cur - 1} {
		// Compare every candidate, so timing does not tell which matched.
		if secretEqual(hotp(u.totpSecret, st), code) && st > u.lastOTPStep && !ok {
			ok, step = true, st
		}
	}
	return step, ok
}

type twoFactorRequest struct {
	Token          string `json:"token"` // the OTP, as Mbanq names it
	DeliveryMethod string `json:"deliveryMethod"`
}

// handleTwoFactorValidate is a Mbanq-style twoFactorAuthentication: with the
// restricted bearer token and a valid OTP, the login's tokens work for
// TwoFactorWindow. Wrong codes are rate limited per user. OTPs are never
// logged.
func (s *Sandbox) handleTwoFactorValidate(w http.ResponseWriter, r *http.Request) {
	_, tok, ok := s.bearer(w, r)
	if !ok {
		return
	}
	var req twoFactorRequest
	if !readJSON(w, r, 4<<10, &req) {
		return
	}
	o := s.oauth
	now := s.now()
	o.mu.Lock()
	defer o.mu.Unlock()
	f := o.tokenFamily[tok]
	if f == nil || !f.mfa {
		writeError(w, http.StatusBadRequest, "TWO_FACTOR_NOT_REQUIRED", "two-factor authentication is not enabled for this token's login")
		return
	}
	u := f.user
	cutoff := now.Add(-o.cfg.OTPFailureWindow)
	u.otpFailures = dropBefore(u.otpFailures, cutoff)
	if len(u.otpFailures) >= o.cfg.OTPMaxFailures {
		wait := u.otpFailures[0].Add(o.cfg.OTPFailureWindow).Sub(now)
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		writeError(w, http.StatusTooManyRequests, "TOO_MANY_ATTEMPTS", "too many wrong one-time passwords; wait before trying again")
		return
	}
	if !validDeliveryMethod(req.DeliveryMethod) {
		writeError(w, http.StatusBadRequest, "INVALID_DELIVERY_METHOD", "deliveryMethod must be one of "+strings.Join(mfaDeliveryMethods, ", "))
		return
	}
	step, ok := verifyOTP(u, req.Token, now)
	if !ok {
		u.otpFailures = append(u.otpFailures, now)
		s.log.Info("sandbox oauth: wrong one-time password", "user", u.Username, "failures", len(u.otpFailures))
		writeError(w, http.StatusBadRequest, "OTP_INVALID", "the one-time password is wrong, expired or already used")
		return
	}
	u.lastOTPStep = step
	u.otpFailures = nil
	f.liftedUntil = now.Add(o.cfg.TwoFactorWindow)
	for _, at := range f.accessTokens {
		s.tokens.update(at, func(g *grant) { g.Restricted = false })
	}
	s.log.Info("sandbox oauth: two-factor validated", "user", u.Username)
	writeJSON(w, http.StatusOK, map[string]any{"validUntil": f.liftedUntil.UTC().Format(time.RFC3339)})
}

func validDeliveryMethod(m string) bool {
	for _, v := range mfaDeliveryMethods {
		if strings.EqualFold(m, v) {
			return true
		}
	}
	return false
}

func dropBefore(ts []time.Time, cutoff time.Time) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(cutoff) {
		i++
	}
	return ts[i:]
}

// handleInbox is where the sandbox "delivers" one-time passwords: a page
// with each 2FA user's current code, and every demo user's password. It
// is a sandbox; the page says so.
func (s *Sandbox) handleInbox(w http.ResponseWriter, r *http.Request) {
	type row struct {
		Username, Password, OTP, OTPAuthURI string
		TwoFactor                           bool
		// Used: this step's code was already accepted; it works once.
		Used bool
	}
	o := s.oauth
	now := s.now()
	var rows []row
	o.mu.Lock()
	for _, u := range o.order {
		rw := row{Username: u.Username, Password: u.Password, TwoFactor: u.TwoFactor}
		if u.TwoFactor {
			rw.OTP = hotp(u.totpSecret, totpStepAt(now))
			rw.Used = u.lastOTPStep >= totpStepAt(now)
			rw.OTPAuthURI = "otpauth://totp/Sandbox:" + url.PathEscape(u.Username) + "?secret=" +
				base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(u.totpSecret) + "&issuer=Sandbox"
		}
		rows = append(rows, rw)
	}
	o.mu.Unlock()
	left := int(totpStep.Seconds()) - int(now.Unix()%int64(totpStep.Seconds()))
	pageHeaders(w)
	w.WriteHeader(http.StatusOK)
	_ = inboxTmpl.Execute(w, map[string]any{"Users": rows, "SecondsLeft": left})
}

var inboxTmpl = template.Must(template.New("inbox").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>Sandbox provider: inbox</title>
<style>body{font-family:sans-serif;max-width:40em;margin:3em auto}td,th{padding:.3em 1em;text-align:left}code{font-size:1.2em}</style></head>
<body>
<h1>Sandbox inbox</h1>
<p><strong>This is the offline sandbox provider, not a real bank.</strong> It shows its demo users'
passwords and "delivers" one-time passwords here instead of by e-mail or SMS. Codes change every 30 seconds
({{.SecondsLeft}} s left) and each works once.</p>
<table>
<tr><th>User</th><th>Password</th><th>One-time password</th></tr>
{{range .Users}}<tr><td>{{.Username}}</td><td><code id="password-{{.Username}}">{{.Password}}</code></td>
<td>{{if .TwoFactor}}<code id="otp-{{.Username}}">{{.OTP}}</code>{{if .Used}} <span id="otp-used-{{.Username}}">already used: the next code comes in {{$.SecondsLeft}} s</span>{{end}}{{else}}no 2FA{{end}}</td></tr>
{{end}}</table>
<p>To use an authenticator app instead, add these keys:</p>
<ul>{{range .Users}}{{if .TwoFactor}}<li>{{.Username}}: <code>{{.OTPAuthURI}}</code></li>{{end}}{{end}}</ul>
</body></html>
`))
