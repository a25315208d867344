package sandbox

import "net/http"

// handleRevoke is POST /auth/revoke, the token revocation endpoint (RFC
// 7009): form-encoded, the client authenticated as at the token endpoint.
// Revoking a refresh token ends its whole login (every refresh token of
// the family and the access tokens issued from it, §2.1); revoking an
// access token does the same, which §2.1 allows. An unknown, expired or
// already revoked token, or one issued to another client, gets 200 all
// the same (§2.2): the answer tells a caller nothing about a token.
func (s *Sandbox) handleRevoke(w http.ResponseWriter, r *http.Request) {
	if !s.readClientForm(w, r) {
		return
	}
	token := r.PostForm.Get("token")
	if token == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "token is required")
		return
	}
	o := s.oauth
	o.mu.Lock()
	f := o.familyOf(token)
	if f != nil && f.clientID == s.client.ID && !f.revoked {
		s.revokeFamily(f)
		s.log.Info("sandbox oauth: login revoked by the client", "user", f.user.Username)
	}
	o.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// familyOf finds the login a refresh or access token belongs to, or nil.
// The token_type_hint is not needed: both kinds are looked up. Callers
// hold o.mu.
func (o *oauthServer) familyOf(token string) *family {
	if e, ok := o.refresh[token]; ok {
		return e.family
	}
	return o.tokenFamily[token]
}
