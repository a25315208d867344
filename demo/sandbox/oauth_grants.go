package sandbox

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"time"
)

// family is one login: every access and refresh token issued from one
// authorization code or one password grant, through all its refreshes.
// Replaying a code or a rotated refresh token revokes the whole family
// (RFC 6749 §4.1.2, RFC 9700 §4.14.2).
type family struct {
	clientID, scope string
	user            *sbxUser
	// mfa: issued by the password grant to a 2FA user. Its tokens are
	// restricted unless an OTP validated within TwoFactorWindow.
	mfa          bool
	liftedUntil  time.Time
	revoked      bool
	accessTokens []string
	pruneAt      int // prune accessTokens when it is this long (linkToken)
}

// refreshEntry is one refresh token. used: it was already rotated; seeing
// it again means it leaked.
type refreshEntry struct {
	family  *family
	expires time.Time
	used    bool
}

// userTokenResponse adds the provider's userId and profile to RFC 6749 §5.1.
type userTokenResponse struct {
	tokenResponse
	UserID  string `json:"userId,omitempty"`
	Profile string `json:"profile,omitempty"`
}

// verifierRE is RFC 7636 §4.1: 43 to 128 unreserved characters.
var verifierRE = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

// grantAuthorizationCode redeems a code (RFC 6749 §4.1.3 with RFC 7636
// §4.5). Every failure is the same invalid_grant; the code is spent by
// the first attempt, right or wrong, so a verifier cannot be guessed.
func (s *Sandbox) grantAuthorizationCode(w http.ResponseWriter, r *http.Request, form url.Values) {
	o := s.oauth
	now := s.now()
	o.mu.Lock()
	defer o.mu.Unlock()
	c, ok := o.codes[form.Get("code")]
	switch {
	case !ok:
		invalidGrant(w, "unknown authorization code")
		return
	case c.used:
		// Replay: whoever holds the code may be an attacker; revoke what
		// the first redemption issued.
		if c.family != nil {
			s.revokeFamily(c.family)
		}
		s.log.Warn("sandbox oauth: authorization code replayed; tokens revoked", "user", c.user.Username)
		invalidGrant(w, "authorization code already used")
		return
	}
	c.used = true
	switch {
	case !now.Before(c.expires):
		invalidGrant(w, "authorization code expired")
		return
	case c.clientID != s.client.ID:
		invalidGrant(w, "authorization code was issued to another client")
		return
	case form.Get("redirect_uri") != c.redirectURI:
		invalidGrant(w, "redirect_uri does not match the authorization request")
		return
	case !verifierRE.MatchString(form.Get("code_verifier")):
		invalidGrant(w, "code_verifier is missing or malformed")
		return
	}
	sum := sha256.Sum256([]byte(form.Get("code_verifier")))
	if !secretEqual(base64.RawURLEncoding.EncodeToString(sum[:]), c.challenge) {
		invalidGrant(w, "code_verifier does not match the code_challenge")
		return
	}
	f := newFamily(c.clientID, c.scope, c.user, false)
	c.family = f
	s.issueFromFamily(w, f, now)
}

// grantRefreshToken rotates (RFC 9700 §2.2.2): the presented token is
// spent and a new one issued in the same family. A spent token presented
// again revokes the family (RFC 9700 §4.14.2).
func (s *Sandbox) grantRefreshToken(w http.ResponseWriter, r *http.Request, form url.Values) {
	o := s.oauth
	now := s.now()
	o.mu.Lock()
	defer o.mu.Unlock()
	e, ok := o.refresh[form.Get("refresh_token")]
	switch {
	case !ok:
		invalidGrant(w, "unknown refresh token")
		return
	case e.family.revoked:
		invalidGrant(w, "refresh token was revoked")
		return
	case e.used:
		s.revokeFamily(e.family)
		s.log.Warn("sandbox oauth: refresh token reused; family revoked", "user", e.family.user.Username)
		invalidGrant(w, "refresh token was already used; every token of this login is revoked")
		return
	case !now.Before(e.expires):
		delete(o.refresh, form.Get("refresh_token"))
		invalidGrant(w, "refresh token expired")
		return
	case e.family.clientID != s.client.ID:
		invalidGrant(w, "refresh token was issued to another client")
		return
	}
	e.used = true
	s.issueFromFamily(w, e.family, now)
}

// grantPassword is the resource owner password credentials grant (RFC 6749
// §4.3), which RFC 9700 §2.4 deprecates and Mbanq-style providers require.
// Unknown user and wrong password give the same answer.
func (s *Sandbox) grantPassword(w http.ResponseWriter, r *http.Request, form url.Values) {
	o := s.oauth
	now := s.now()
	o.mu.Lock()
	defer o.mu.Unlock()
	user := o.checkPassword(form.Get("username"), form.Get("password"))
	if user == nil {
		invalidGrant(w, "wrong username or password")
		return
	}
	f := newFamily(s.client.ID, form.Get("scope"), user, user.TwoFactor)
	s.issueFromFamily(w, f, now)
}

func invalidGrant(w http.ResponseWriter, desc string) {
	oauthError(w, http.StatusBadRequest, "invalid_grant", desc)
}

// newFamily starts a login.
func newFamily(clientID, scope string, user *sbxUser, mfa bool) *family {
	return &family{clientID: clientID, scope: scope, user: user, mfa: mfa}
}

// issueFromFamily issues an access token and a fresh refresh token for f
// and writes the token response. Callers hold o.mu.
func (s *Sandbox) issueFromFamily(w http.ResponseWriter, f *family, now time.Time) {
	o := s.oauth
	at := s.tokens.issue(grant{
		ClientID:   f.clientID,
		Subject:    f.user.ID,
		Scope:      f.scope,
		Expires:    now.Add(s.cfg.TokenTTL),
		Restricted: f.mfa && !now.Before(f.liftedUntil),
	})
	o.linkToken(at, f, now.Add(s.cfg.TokenTTL), now)
	rt := randomToken("sbx_rt_")
	o.addRefresh(rt, &refreshEntry{family: f, expires: now.Add(o.cfg.RefreshTTL)}, now)
	writeJSON(w, http.StatusOK, userTokenResponse{
		tokenResponse: tokenResponse{
			AccessToken: at, TokenType: "Bearer", ExpiresIn: int(s.cfg.TokenTTL.Seconds()),
			RefreshToken: rt, Scope: f.scope,
		},
		UserID:  f.user.ID,
		Profile: f.user.Profile,
	})
}

// revokeFamily ends a login: its refresh tokens stop working and its
// access tokens expire now. Callers hold o.mu.
func (s *Sandbox) revokeFamily(f *family) {
	f.revoked = true
	for _, at := range f.accessTokens {
		// tokenStore has no delete by token; an expired grant is dropped
		// at its next lookup, which is the same to every reader.
		s.tokens.update(at, func(g *grant) { g.Expires = time.Time{} })
		delete(s.oauth.tokenFamily, at)
	}
	f.accessTokens = nil
}
