package sandbox

import (
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"time"
)

// consent is an authorization request that passed validation and waits for
// the user on the consent page. The page's form carries only its nonce;
// the parameters stay here, so the form cannot be edited into another
// request.
type consent struct {
	clientID, redirectURI, challenge, state, scope string
	issuer                                         string
	cookie                                         string // the browser's consent cookie: binds the nonce to it
	expires                                        time.Time
	// user is set once the password is right for a 2FA user: the consent
	// then waits for the one-time password, as a real provider's page does.
	user *sbxUser
}

// authCode is an issued authorization code, bound to everything RFC 6749
// §4.1.3 and RFC 7636 §4.6 check at redemption.
type authCode struct {
	clientID, redirectURI, challenge, scope string
	user                                    *sbxUser
	expires                                 time.Time
	used                                    bool
	family                                  *family // tokens issued from it, revoked on replay
}

const (
	consentTTL      = 10 * time.Minute
	consentCookie   = "sbx_consent"
	maxConsentBody  = 8 << 10
	usedCodeRetains = time.Hour // how long a redeemed code is remembered, to detect replay
)

// challengeRE is a base64url SHA-256: what S256 produces (RFC 7636 §4.2).
var challengeRE = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// handleAuthorize is the authorization endpoint (RFC 6749 §4.1.1).
// client_id and redirect_uri are checked first: until both are known good,
// errors are shown here and never redirected (§4.1.2.1), or the sandbox
// would be an open redirector.
func (s *Sandbox) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for _, k := range []string{"client_id", "redirect_uri"} {
		if len(q[k]) > 1 {
			s.authorizeErrorPage(w, k+" is given more than once")
			return
		}
	}
	if !secretEqual(q.Get("client_id"), s.client.ID) {
		s.authorizeErrorPage(w, "unknown client_id")
		return
	}
	redirectURI := q.Get("redirect_uri")
	if !s.oauth.redirectURIAllowed(redirectURI) {
		s.authorizeErrorPage(w, "redirect_uri is not registered for this client (it must match exactly)")
		return
	}
	iss := s.issuer(r)
	if code, desc := checkAuthorizeParams(q); code != "" {
		redirectWithParams(w, r, redirectURI, url.Values{"error": {code}, "error_description": {desc}}, q.Get("state"), iss)
		return
	}
	cookie := ""
	if c, err := r.Cookie(consentCookie); err == nil && len(c.Value) >= 43 {
		cookie = c.Value
	} else {
		cookie = randomToken("")
	}
	nonce := randomToken("")
	s.oauth.addConsent(nonce, &consent{
		clientID: s.client.ID, redirectURI: redirectURI, challenge: q.Get("code_challenge"),
		state: q.Get("state"), scope: q.Get("scope"), issuer: iss, cookie: cookie,
		expires: s.now().Add(consentTTL),
	}, s.now())
	http.SetCookie(w, &http.Cookie{
		Name: consentCookie, Value: cookie, Path: "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
	})
	s.consentPage(w, http.StatusOK, nonce, "")
}

// checkAuthorizeParams checks what is sent back to the client as an error
// once client_id and redirect_uri are known good: the RFC 6749 error code
// and description, or "".
func checkAuthorizeParams(q url.Values) (code, desc string) {
	for _, k := range []string{"response_type", "state", "code_challenge", "code_challenge_method", "scope"} {
		if len(q[k]) > 1 {
			return "invalid_request", k + " is given more than once"
		}
	}
	if q.Get("response_type") != "code" {
		return "unsupported_response_type", "only response_type=code is supported"
	}
	// PKCE is required and S256 only (RFC 9700 §2.1.1): a missing or
	// "plain" method is refused (RFC 7636 §4.4.1).
	switch q.Get("code_challenge_method") {
	case "S256":
	case "":
		return "invalid_request", "code_challenge_method=S256 is required (PKCE)"
	default:
		return "invalid_request", "transform algorithm not supported: only S256"
	}
	if !challengeRE.MatchString(q.Get("code_challenge")) {
		return "invalid_request", "code_challenge must be a base64url SHA-256 (43 characters)"
	}
	return "", ""
}

// handleConsent receives the consent form. The nonce must be known, live
// and tied to this browser's consent cookie (CSRF); it is single use.
func (s *Sandbox) handleConsent(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxConsentBody)
	if err := r.ParseForm(); err != nil {
		if tooLarge(w, err, maxConsentBody) {
			return
		}
		s.authorizeErrorPage(w, "the consent form could not be read")
		return
	}
	o := s.oauth
	now := s.now()
	nonce := r.PostForm.Get("nonce")
	c, _ := r.Cookie(consentCookie)
	o.mu.Lock()
	req, ok := o.consents[nonce]
	delete(o.consents, nonce)
	o.mu.Unlock()
	if !ok || c == nil || !secretEqual(c.Value, req.cookie) || !now.Before(req.expires) {
		s.authorizeErrorPage(w, "this consent page has expired or was already used; start the sign-in again from the application")
		return
	}
	if r.PostForm.Get("action") != "approve" {
		redirectWithParams(w, r, req.redirectURI, url.Values{"error": {"access_denied"}, "error_description": {"the user declined"}}, req.state, req.issuer)
		return
	}
	user, retry := s.consentUser(req, r.PostForm, now)
	if user == nil {
		s.nextConsentStep(w, req, http.StatusUnauthorized, retry) // the user may try again
		return
	}
	if user.TwoFactor && req.user == nil {
		// Password right, and the user has two-factor: ask for the code.
		req.user = user
		s.nextConsentStep(w, req, http.StatusOK, "")
		return
	}
	code := randomToken("sbx_ac_")
	o.addCode(code, &authCode{
		clientID: req.clientID, redirectURI: req.redirectURI, challenge: req.challenge,
		scope: req.scope, user: user, expires: now.Add(o.cfg.CodeTTL),
	}, now)
	s.log.Info("sandbox oauth: authorization code issued", "user", user.Username)
	redirectWithParams(w, r, req.redirectURI, url.Values{"code": {code}}, req.state, req.issuer)
}

// nextConsentStep shows the page for req's current step (password, or
// one-time password once req.user is set) under a fresh single-use nonce.
func (s *Sandbox) nextConsentStep(w http.ResponseWriter, req *consent, status int, problem string) {
	next := randomToken("")
	s.oauth.addConsent(next, req, s.now())
	if req.user != nil {
		s.otpPage(w, status, next, problem)
		return
	}
	s.consentPage(w, status, next, problem)
}

// consentUser checks the step the consent is at: the password, or, for a
// 2FA user whose password was right, the one-time password (rate limited
// and single use, as at /twofactor/validate). It returns the user when the
// step passed, else what to tell them.
func (s *Sandbox) consentUser(req *consent, form url.Values, now time.Time) (*sbxUser, string) {
	o := s.oauth
	o.mu.Lock()
	defer o.mu.Unlock()
	if req.user == nil {
		if u := o.checkPassword(form.Get("username"), form.Get("password")); u != nil {
			return u, ""
		}
		return nil, "Wrong username or password."
	}
	u := req.user
	u.otpFailures = dropBefore(u.otpFailures, now.Add(-o.cfg.OTPFailureWindow))
	if len(u.otpFailures) >= o.cfg.OTPMaxFailures {
		return nil, "Too many wrong codes. Wait a few minutes, then try again."
	}
	step, ok := verifyOTP(u, form.Get("otp"), now)
	if !ok {
		u.otpFailures = append(u.otpFailures, now)
		s.log.Info("sandbox oauth: wrong one-time password on the consent page", "user", u.Username)
		return nil, "That code is wrong, expired or already used."
	}
	u.lastOTPStep = step
	u.otpFailures = nil
	return u, ""
}

// redirectWithParams sends the browser back to the client with the
// authorization response (RFC 6749 §4.1.2), its state and our iss (RFC
// 9207). 303 so that a POSTed consent form turns into a GET.
func redirectWithParams(w http.ResponseWriter, r *http.Request, redirectURI string, params url.Values, state, iss string) {
	u, err := url.Parse(redirectURI) // registered, so it parses
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	if state != "" {
		q.Set("state", state)
	}
	q.Set("iss", iss)
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

func pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY") // a consent page must not be framed (clickjacking)
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("Referrer-Policy", "no-referrer")
}

func (s *Sandbox) authorizeErrorPage(w http.ResponseWriter, msg string) {
	pageHeaders(w)
	w.WriteHeader(http.StatusBadRequest)
	_ = errorPageTmpl.Execute(w, msg)
}

func (s *Sandbox) consentPage(w http.ResponseWriter, status int, nonce, problem string) {
	pageHeaders(w)
	w.WriteHeader(status)
	_ = consentTmpl.Execute(w, map[string]string{"Nonce": nonce, "Problem": problem, "Client": s.client.ID})
}

var errorPageTmpl = template.Must(template.New("err").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sandbox provider: error</title></head>
<body><h1>Sandbox provider</h1><p id="error">{{.}}</p></body></html>
`))

// The forms post to the absolute path /auth/consent: a relative action
// would resolve against the URL of the page that shows it, and the retry
// page is served at /auth/consent itself.
var consentTmpl = template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sandbox provider: sign in</title>
<style>body{font-family:sans-serif;max-width:28em;margin:3em auto}label{display:block;margin:.5em 0}</style></head>
<body>
<h1>Sandbox provider</h1>
<p>This is the offline stand-in for a real provider. <strong>{{.Client}}</strong> asks to read your profile and accounts.</p>
{{if .Problem}}<p id="problem" role="alert">{{.Problem}}</p>{{end}}
<form method="post" action="/auth/consent">
<input type="hidden" name="nonce" value="{{.Nonce}}">
<label>Username <input id="username" name="username" autocomplete="username"></label>
<label>Password <input id="password" name="password" type="password" autocomplete="current-password"></label>
<button id="approve" type="submit" name="action" value="approve">Approve</button>
<button id="deny" type="submit" name="action" value="deny">Deny</button>
</form>
<p>The demo users and their passwords are printed by the dev server and listed on the <a href="/inbox">sandbox inbox</a>.</p>
</body></html>
`))

func (s *Sandbox) otpPage(w http.ResponseWriter, status int, nonce, problem string) {
	pageHeaders(w)
	w.WriteHeader(status)
	_ = otpTmpl.Execute(w, map[string]string{"Nonce": nonce, "Problem": problem})
}

var otpTmpl = template.Must(template.New("otp").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sandbox provider: one-time code</title>
<style>body{font-family:sans-serif;max-width:28em;margin:3em auto}label{display:block;margin:.5em 0}</style></head>
<body>
<h1>Sandbox provider</h1>
<p>This account has two-factor authentication. Enter the code from your authenticator, or from the
<a href="/inbox" target="_blank" rel="noreferrer">sandbox inbox</a>.</p>
{{if .Problem}}<p id="problem" role="alert">{{.Problem}}</p>{{end}}
<form method="post" action="/auth/consent">
<input type="hidden" name="nonce" value="{{.Nonce}}">
<label>Code <input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" maxlength="6"></label>
<button id="approve" type="submit" name="action" value="approve">Verify</button>
<button id="deny" type="submit" name="action" value="deny">Cancel</button>
</form>
</body></html>
`))
