package oauth

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"regexp"

	"golang.org/x/oauth2"

	"github.com/sealbridge/sealbridge/demo/apierr"
	"github.com/sealbridge/sealbridge/demo/session"
	"github.com/sealbridge/sealbridge/internal/strictdecode"
	"github.com/sealbridge/sealbridge/internal/strictjson"
)

// The password grant (RFC 6749 §4.3) is deprecated by RFC 9700 §2.4: the
// dev server sees the user's password. It is here because some providers
// (Mbanq-style banking cores) offer nothing else; prefer the
// authorization-code flow.

// LoginResult is what POST /api/login answers: the shape of a Mbanq-style
// connect().
type LoginResult struct {
	IsMFARequired      bool     `json:"isMFARequired"`
	MFADeliveryMethods []string `json:"mfaDeliveryMethods"`
	IsSelfServiceUser  bool     `json:"isSelfServiceUser"`
	IsPasswordExpired  bool     `json:"isPasswordExpired"`
}

// selfInfo is the provider's GET /v1/self answer (the sandbox's name for it;
// Mbanq-style providers differ).
type selfInfo struct {
	UserID   string `json:"userId"`
	Username string `json:"username"`
	LoginResult
}

// Login serves POST /api/login {"username","password"} (JSON): the
// password grant, then the provider's 2FA status. The session gets a new
// id and the tokens; the page gets LoginResult. A wrong username and a
// wrong password give the same 401 invalid_credentials.
func (f *Flows) Login(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	// The session first: an anonymous caller is counted nowhere.
	sess, ferr := f.appSession(r)
	if ferr == nil {
		ferr = readFlowJSON(w, r, &req)
	}
	if ferr == nil {
		ferr = f.checkLogin(r, req.Username, req.Password)
	}
	if ferr != nil {
		flowsWriteError(w, ferr)
		return
	}
	tok, err := f.oauth.PasswordCredentialsToken(f.oauthContext(r.Context()), req.Username, req.Password)
	if err != nil {
		var re *oauth2.RetrieveError
		switch {
		case isInvalidGrant(err):
			f.log.Info("oauth: password login refused")
			flowsWriteError(w, newFlowError(http.StatusUnauthorized, apierr.InvalidCredentials, msgBadLogin))
		case errors.As(err, &re) && re.Response != nil && re.Response.StatusCode < 500:
			f.log.Warn("oauth: provider refused the password grant", "error", err)
			flowsWriteError(w, errUpstream("the provider refused the dev server's request; check its client id and secret"))
		default:
			f.log.Warn("oauth: password grant failed", "error", err)
			flowsWriteError(w, errUpstream("the provider could not be reached; try again later"))
		}
		return
	}
	pt := f.providerTokens(tok, "password", nil)
	res, err := f.send(r.Context(), pt.AccessToken, http.MethodGet, f.paths.Self, nil)
	var self selfInfo
	if err != nil || res.status != http.StatusOK || res.decode(&self) != nil {
		f.log.Warn("oauth: provider's user status unavailable", "error", err)
		flowsWriteError(w, errUpstream("the provider did not say whether it wants a one-time password; try again later"))
		return
	}
	if self.UserID != "" {
		pt.UserID = self.UserID
	}
	pt.DisplayName = self.Username
	pt.Restricted = self.IsMFARequired
	if err := f.signIn(w, r, sess, pt); err != nil {
		flowsWriteError(w, sessionError(err))
		return
	}
	f.log.Info("oauth: connected", "grant", "password", "user_id", pt.UserID, "mfa_required", self.IsMFARequired)
	out := self.LoginResult
	if out.MFADeliveryMethods == nil {
		out.MFADeliveryMethods = []string{}
	}
	flowsWriteJSON(w, http.StatusOK, out)
}

// appSession is the caller's session in the app: the provider sign-in
// belongs to a signed-in user, so none is 401 unauthenticated.
func (f *Flows) appSession(r *http.Request) (*session.Session, *flowError) {
	sess, err := f.sessions.Find(r)
	switch {
	case err != nil:
		return nil, sessionError(err)
	case sess == nil:
		return nil, errNoAppSession
	}
	return sess, nil
}

// checkLogin refuses a malformed sign-in, then counts it against the
// rate limits.
func (f *Flows) checkLogin(r *http.Request, username, password string) *flowError {
	if username == "" || password == "" || len(username) > 256 || len(password) > 1024 {
		return errBadRequest("username and password are required")
	}
	return f.limit(r.Context(), r, "password", username)
}

// otpRE: what a one-time password can look like (digits for TOTP; some
// providers use letters).
var otpRE = regexp.MustCompile(`^[A-Za-z0-9]{4,16}$`)

// LoginOTP serves POST /api/login/otp {"token","deliveryMethod"} (JSON;
// token is the OTP, as Mbanq-style providers name it; deliveryMethod defaults to
// "TOTP"): the provider's /twofactor/validate with the session's access
// token. {"ok":true}, or 401 invalid_credentials (wrong, expired or used
// code), 429 rate_limited with Retry-After, 401 reauth_required.
func (f *Flows) LoginOTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Token          string `json:"token"`
		DeliveryMethod string `json:"deliveryMethod"`
	}
	if ferr := readFlowJSON(w, r, &req); ferr != nil {
		flowsWriteError(w, ferr)
		return
	}
	if !otpRE.MatchString(req.Token) || len(req.DeliveryMethod) > 32 {
		flowsWriteError(w, errBadRequest("token must be the one-time password (4 to 16 letters or digits)"))
		return
	}
	if req.DeliveryMethod == "" {
		req.DeliveryMethod = "TOTP"
	}
	sess, err := f.sessions.Find(r)
	if err != nil || sess == nil || sess.Provider == nil {
		flowsWriteError(w, sessionError(err))
		return
	}
	user := sess.Provider.UserID
	if user == "" {
		user = "session:" + sess.ID
	}
	if ferr := f.limit(r.Context(), r, "otp", user); ferr != nil {
		flowsWriteError(w, ferr)
		return
	}
	body, _ := json.Marshal(req)
	res, ferr := f.call(r.Context(), sess.ID, http.MethodPost, f.paths.TwoFactor, body)
	switch {
	case ferr != nil:
	case res.status >= 200 && res.status < 300:
		f.setRestricted(r.Context(), sess.ID, false)
		f.log.Info("oauth: one-time password accepted")
		flowsWriteJSON(w, http.StatusOK, map[string]bool{"ok": true})
		return
	case res.status == http.StatusBadRequest && otpRequestErrors[res.errorCode()] != "":
		// Our message for the provider's code: its own text may echo the
		// request, access token included.
		f.log.Info("oauth: one-time password request refused", "error_code", res.errorCode())
		ferr = errBadRequest(otpRequestErrors[res.errorCode()])
	case res.status == http.StatusBadRequest || res.status == http.StatusForbidden || res.status == http.StatusUnprocessableEntity:
		f.log.Info("oauth: one-time password refused")
		ferr = newFlowError(http.StatusUnauthorized, apierr.InvalidCredentials, "the one-time password is wrong, expired or already used")
	default:
		ferr = f.resourceError(r.Context(), sess.ID, res)
	}
	flowsWriteError(w, ferr)
}

// otpRequestErrors are the sandbox's /twofactor/validate codes that mean
// the request, not the code, was wrong, with what the page is told.
var otpRequestErrors = map[string]string{
	"TWO_FACTOR_NOT_REQUIRED": "this sign-in needs no one-time password; carry on without one",
	"INVALID_DELIVERY_METHOD": "the provider does not offer this deliveryMethod; use one it listed in mfaDeliveryMethods",
}

// readFlowJSON reads a small JSON body under the strict-JSON rule set. Requiring application/json also
// keeps cross-site HTML forms out: they cannot send it without a CORS
// preflight.
func readFlowJSON(w http.ResponseWriter, r *http.Request, v any) *flowError {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return newFlowError(http.StatusUnsupportedMediaType, apierr.InvalidRequest, "send the body as application/json")
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4<<10))
	if err != nil {
		return errBadRequest("the body is not the expected JSON object")
	}
	// The strict-JSON rule set: no duplicate or case-fold twin members, so
	// "Password" beside "password" cannot pick which one is read.
	if err := strictdecode.Unmarshal(raw, v); err != nil {
		if errors.Is(err, strictjson.ErrTrailingData) {
			return errBadRequest("the body has data after the JSON object")
		}
		return errBadRequest("the body is not the expected JSON object")
	}
	return nil
}
