package provider

import (
	"context"
	"net/http"
	"sync"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Tokens is the server's own provider access token: an oauth2.TokenSource
// that fetches it by client credentials (x/oauth2's clientcredentials,
// whose source is a ReuseTokenSource: one token-endpoint call for any
// number of concurrent callers until the token expires). Build it once and
// share it; it is safe for concurrent use.
//
// x/oauth2 offers no way to drop a cached token that the provider has
// stopped accepting (revoked, or the clocks disagree), so Renew replaces the
// whole cached source, once however many callers saw the refusal.
type Tokens struct {
	mu    sync.Mutex
	cur   *generation
	fresh func() oauth2.TokenSource // nil: a fixed source, never replaced
}

// generation is one cached source; its identity tells Renew whether the
// token a caller saw refused is still the current one.
type generation struct {
	src  oauth2.TokenSource
	last sync.Map // access token -> struct{}: the tokens this generation gave
}

// ClientCredentialsConfig configures ClientCredentials.
type ClientCredentialsConfig struct {
	ClientID, ClientSecret string
	TokenURL               string
	Scopes                 []string
	// AuthStyle is how the client authenticates (see ParseAuthStyle);
	// zero means HTTP Basic, never auto-detection.
	AuthStyle oauth2.AuthStyle
	// HTTPClient calls the token endpoint; nil means NewHTTPClient(0). It
	// is hardened (see Harden) either way.
	HTTPClient *http.Client
}

// ClientCredentials returns Tokens obtained with the client-credentials
// grant. It makes no network call.
func ClientCredentials(cfg ClientCredentialsConfig) *Tokens {
	cc := &clientcredentials.Config{
		ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, TokenURL: cfg.TokenURL, Scopes: cfg.Scopes,
		// One style, not auto-detection: a failed attempt would otherwise
		// be retried the other way, with the secret in the body.
		AuthStyle: ExplicitAuthStyle(cfg.AuthStyle),
	}
	// The fetch runs under a background context carrying our client, not a
	// request's: it is shared by every waiting caller, so one caller giving
	// up must not fail the others. The client's Timeout bounds it.
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, Harden(cfg.HTTPClient, DefaultTimeout))
	fresh := func() oauth2.TokenSource { return cc.TokenSource(ctx) }
	return &Tokens{cur: &generation{src: fresh()}, fresh: fresh}
}

// Static returns Tokens that always give accessToken (a token configured
// by hand); Renew cannot replace it.
func Static(accessToken string) *Tokens {
	return Fixed(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: accessToken, TokenType: "Bearer"}))
}

// Fixed wraps a caller's source; Renew cannot replace it. src must cache.
func Fixed(src oauth2.TokenSource) *Tokens {
	return &Tokens{cur: &generation{src: src}}
}

// Unavailable returns Tokens whose every Token call fails with err: the
// server has no provider credentials, and says which to set.
func Unavailable(err error) *Tokens {
	return Fixed(failingSource{err})
}

type failingSource struct{ err error }

func (f failingSource) Token() (*oauth2.Token, error) { return nil, f.err }

// Token returns a valid access token, fetching one when none is cached.
func (t *Tokens) Token() (*oauth2.Token, error) {
	g := t.current()
	tok, err := g.src.Token()
	if err != nil {
		return nil, err
	}
	g.last.Store(tok.AccessToken, struct{}{})
	return tok, nil
}

// AccessToken is Token's access token, in the shape of
// intermediary.Config.Token.
func (t *Tokens) AccessToken(context.Context) (string, error) {
	tok, err := t.Token()
	if err != nil {
		return "", err
	}
	return tok.AccessToken, nil
}

// Renew is called when the provider refused stale (401): if stale came
// from the current cached source, that source is replaced, so the next
// Token fetches a new token. It reports whether a retry can get a
// different token (false for Static and Fixed tokens).
func (t *Tokens) Renew(stale string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.fresh == nil {
		return false
	}
	if _, ok := t.cur.last.Load(stale); ok {
		t.cur = &generation{src: t.fresh()}
	}
	return true
}

func (t *Tokens) current() *generation {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cur
}
