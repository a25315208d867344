package sandbox

import (
	"net/http"
	"strings"
)

// restrictedNow reports whether tok's 2FA restriction applies now. A
// validated OTP clears grant.Restricted for the login's tokens
// (oauth_twofactor.go); when TwoFactorWindow has passed, this puts the
// flag back, so that other features reading grant.Restricted agree from
// then on.
func (s *Sandbox) restrictedNow(g grant, tok string) bool {
	o := s.oauth
	o.mu.Lock()
	defer o.mu.Unlock()
	f := o.tokenFamily[tok]
	if f == nil || !f.mfa {
		return g.Restricted
	}
	if s.now().Before(f.liftedUntil) {
		return false
	}
	if !g.Restricted {
		for _, at := range f.accessTokens {
			s.tokens.update(at, func(g *grant) { g.Restricted = true })
		}
	}
	return true
}

// bearerUnrestricted is bearer for resources that 2FA protects: a
// restricted token gets the Mbanq-style 403 RESTRICTED, naming the resource
// type. Other features can use it for their own resources.
func (s *Sandbox) bearerUnrestricted(w http.ResponseWriter, r *http.Request, resourceType string) (grant, string, bool) {
	g, tok, ok := s.bearer(w, r)
	if !ok {
		return grant{}, "", false
	}
	if s.restrictedNow(g, tok) {
		writeError(w, http.StatusForbidden, "RESTRICTED", "Access to type "+resourceType+" is restricted")
		return grant{}, "", false
	}
	return g, tok, true
}

// userOf returns the user a token was issued for, or nil for a client
// credentials token.
func (s *Sandbox) userOf(g grant) *sbxUser {
	if g.Subject == "" {
		return nil
	}
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	return s.oauth.usersByID[g.Subject]
}

// handleAuthContext is the provider's GET /auth/context: who the token speaks
// for. A client credentials token speaks for the client itself.
func (s *Sandbox) handleAuthContext(w http.ResponseWriter, r *http.Request) {
	g, _, ok := s.bearerUnrestricted(w, r, "USER")
	if !ok {
		return
	}
	u := s.userOf(g)
	if u == nil {
		writeJSON(w, http.StatusOK, map[string]string{"userId": "", "profile": "", "email": "", "name": g.ClientID})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"userId": u.ID, "profile": u.Profile, "email": u.Email, "name": u.Name})
}

// selfResponse is what a Mbanq-style connect() resolves to. A restricted
// token may read it: it is how a client learns that it must ask for an OTP.
type selfResponse struct {
	UserID             string   `json:"userId"`
	Username           string   `json:"username"`
	IsMFARequired      bool     `json:"isMFARequired"`
	MFADeliveryMethods []string `json:"mfaDeliveryMethods"`
	IsSelfServiceUser  bool     `json:"isSelfServiceUser"`
	IsPasswordExpired  bool     `json:"isPasswordExpired"`
}

// handleSelf is GET /v1/self: the signed-in user and their 2FA status.
func (s *Sandbox) handleSelf(w http.ResponseWriter, r *http.Request) {
	g, tok, ok := s.bearer(w, r)
	if !ok {
		return
	}
	u := s.userOf(g)
	if u == nil {
		writeError(w, http.StatusForbidden, "FORBIDDEN", "this token was issued to a client, not to a user")
		return
	}
	methods := []string{}
	if u.TwoFactor {
		methods = mfaDeliveryMethods
	}
	writeJSON(w, http.StatusOK, selfResponse{
		UserID: u.ID, Username: u.Username,
		IsMFARequired:      s.restrictedNow(g, tok),
		MFADeliveryMethods: methods,
		IsSelfServiceUser:  true,
	})
}

type account struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	IBAN     string `json:"iban"`
	Currency string `json:"currency"`
	Balance  string `json:"balance"`
}

// handleAccounts is a small protected resource: the user's accounts,
// refused to restricted tokens.
func (s *Sandbox) handleAccounts(w http.ResponseWriter, r *http.Request) {
	g, _, ok := s.bearerUnrestricted(w, r, "ACCOUNT")
	if !ok {
		return
	}
	u := s.userOf(g)
	if u == nil {
		writeError(w, http.StatusForbidden, "FORBIDDEN", "this token was issued to a client, not to a user")
		return
	}
	// A fake but well-formed-looking IBAN per user; sandbox data only.
	id := strings.ReplaceAll(u.ID, "-", "")[:12]
	writeJSON(w, http.StatusOK, map[string]any{"accounts": []account{
		{ID: "acc_" + id, Name: u.Name + " current account", IBAN: "XX00SBX0" + strings.ToUpper(id), Currency: "EUR", Balance: "1234.56"},
	}})
}
