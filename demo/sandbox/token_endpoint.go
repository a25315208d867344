package sandbox

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// tokenResponse is RFC 6749 §5.1's successful answer.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
}

// grantHandler serves one grant_type of POST /auth/token after the client
// has been authenticated.
type grantHandler func(w http.ResponseWriter, r *http.Request, form url.Values)

// maxTokenBody bounds a token request: a few short form fields.
const maxTokenBody = 16 << 10

func (s *Sandbox) mountToken() error {
	s.mux.HandleFunc("POST /auth/token", s.handleToken)
	return nil
}

// handleToken is the OAuth2 token endpoint (RFC 6749 §3.2): form-encoded,
// client authenticated by HTTP Basic or by client_id/client_secret fields.
func (s *Sandbox) handleToken(w http.ResponseWriter, r *http.Request) {
	if !s.readClientForm(w, r) {
		return
	}
	grants := s.grantHandlers()
	h, ok := grants[r.PostForm.Get("grant_type")]
	if !ok {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type is not supported")
		return
	}
	h(w, r, r.PostForm)
}

// readClientForm reads a form-encoded body (413 past maxTokenBody, 400 if
// it is no form) and authenticates the client by HTTP Basic or by
// client_id/client_secret fields (401), as the token and revocation
// endpoints do (RFC 6749 §2.3.1, RFC 7009 §2.1). It has answered when it
// returns false.
func (s *Sandbox) readClientForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenBody)
	if err := r.ParseForm(); err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			oauthError(w, http.StatusRequestEntityTooLarge, "invalid_request", fmt.Sprintf("the request body is over %d bytes", maxTokenBody))
			return false
		}
		oauthError(w, http.StatusBadRequest, "invalid_request", "body must be application/x-www-form-urlencoded")
		return false
	}
	if !s.authenticateClient(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="sandbox"`)
		oauthError(w, http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
		return false
	}
	return true
}

// grantHandlers lists the supported grants. The OAuth feature adds
// authorization_code, refresh_token and password in oauth*.go.
func (s *Sandbox) grantHandlers() map[string]grantHandler {
	g := map[string]grantHandler{"client_credentials": s.grantClientCredentials}
	for k, v := range s.oauthGrants() {
		g[k] = v
	}
	return g
}

func (s *Sandbox) authenticateClient(r *http.Request) bool {
	id, secret, ok := r.BasicAuth()
	if ok {
		// RFC 6749 §2.3.1: Basic credentials are form-urlencoded first
		// (x/oauth2 does so), so decode them before comparing.
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return false
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	return secretEqual(id, s.client.ID) && secretEqual(secret, s.client.Secret)
}

func (s *Sandbox) grantClientCredentials(w http.ResponseWriter, r *http.Request, form url.Values) {
	s.serverTokens.Add(1)
	tok := s.tokens.issue(grant{ClientID: s.client.ID, Scope: form.Get("scope"), Expires: s.now().Add(s.cfg.TokenTTL)})
	writeJSON(w, http.StatusOK, tokenResponse{AccessToken: tok, TokenType: "Bearer", ExpiresIn: int(s.cfg.TokenTTL.Seconds()), Scope: form.Get("scope")})
}

// ServerTokenGrants counts the client_credentials grants served: how often
// a server asked for its own access token. Tests use it to prove that
// concurrent callers share one.
func (s *Sandbox) ServerTokenGrants() int { return int(s.serverTokens.Load()) }

// oauthError writes RFC 6749 §5.2's error body.
func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}
