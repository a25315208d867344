package sandbox

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"time"
)

// grant is what an opaque access token stands for. Every feature that
// accepts a bearer token (connections, dispatch, checkout init, the OAuth
// protected resources) reads it through Sandbox.bearer.
type grant struct {
	ClientID   string
	Subject    string // user id; empty for client_credentials
	Scope      string
	Expires    time.Time
	Restricted bool // password grant for a 2FA user, until an OTP lifts it
}

// tokenStore maps opaque access tokens to grants. It holds at most limit
// of them, forgetting the oldest (and expired ones) first.
type tokenStore struct {
	mu     sync.Mutex
	tokens map[string]*grant
	order  expiryQueue[string]
	limit  int
	now    func() time.Time
}

func newTokenStore(now func() time.Time, limit int) *tokenStore {
	return &tokenStore{tokens: map[string]*grant{}, now: now, limit: limit}
}

// issue stores g under a fresh random token and returns the token.
func (t *tokenStore) issue(g grant) string {
	tok := randomToken("sbx_at_")
	t.mu.Lock()
	defer t.mu.Unlock()
	t.tokens[tok] = &g
	t.order.push(tok, g.Expires)
	evict(&t.order, t.tokens, t.limit, t.now())
	return tok
}

// size is how many access tokens the sandbox remembers.
func (t *tokenStore) size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.tokens)
}

// lookup returns a copy of the live grant for tok.
func (t *tokenStore) lookup(tok string) (grant, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	g, ok := t.tokens[tok]
	if !ok {
		return grant{}, false
	}
	if !t.now().Before(g.Expires) {
		delete(t.tokens, tok)
		return grant{}, false
	}
	return *g, true
}

// update changes the grant behind tok in place (e.g. to lift a 2FA restriction).
func (t *tokenStore) update(tok string, fn func(*grant)) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	g, ok := t.tokens[tok]
	if ok {
		fn(g)
	}
	return ok
}

// bearer reads and checks the request's bearer token. On failure it has
// already written a 401 with WWW-Authenticate.
func (s *Sandbox) bearer(w http.ResponseWriter, r *http.Request) (grant, string, bool) {
	tok, ok := bearerToken(r)
	if ok {
		if g, live := s.tokens.lookup(tok); live {
			return g, tok, true
		}
	}
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	writeError(w, http.StatusUnauthorized, "invalid_token", "missing, unknown or expired bearer token")
	return grant{}, "", false
}

func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return "", false
	}
	return tok, true
}

func randomToken(prefix string) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go >= 1.24)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// secretEqual compares secrets in constant time.
func secretEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
