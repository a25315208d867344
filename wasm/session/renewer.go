package session

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// Defaults for Options fields left at zero.
const (
	DefaultSkew             = 30 * time.Second
	DefaultRenewTimeout     = 10 * time.Second
	DefaultMinRenewInterval = 5 * time.Second
	DefaultMaxClockSkew     = 24 * time.Hour
)

// Options configure a Renewer. Zero durations take their defaults; a
// negative Skew, MinRenewInterval or MaxClockSkew means none (0).
type Options struct {
	Token string // initial token, may be empty

	// Renew is the page's onAccessTokenExpired; nil means no renewal is possible.
	Renew func(ctx context.Context) (string, error)

	// Skew (default 30s): renew proactively when now >= exp - Skew.
	Skew time.Duration

	// RenewTimeout (default 10s): a callback that has not settled by then
	// fails its waiters with sberr.Timeout; its ctx is cancelled at that deadline.
	RenewTimeout time.Duration

	// MinRenewInterval (default 5s): a token obtained from the callback is not
	// renewed proactively before it is this old, whatever the page clock says
	// about its exp; a 401 (Invalidate) still renews it at once.
	MinRenewInterval time.Duration

	// MaxClockSkew (default 24h): a renewed token whose exp lies further than
	// this in the past by the page clock is refused as already expired.
	// Anything closer is accepted, as the page clock may be ahead.
	MaxClockSkew time.Duration

	Now func() time.Time // clock seam; default time.Now

	// Tabs, when set, shares renewals with the other clients of the token's
	// scope (see Scope), in this tab and others: one callback for all. It
	// is used only when Token has a scope.
	Tabs Tabs

	// LockTimeout (default 5s) bounds the wait for another tab's renewal.
	LockTimeout time.Duration
}

// Renewer is the token holder of one client: the current token, its claims,
// expiry with a skew, and single-flight renewal through a callback. It is
// safe for concurrent use.
type Renewer struct {
	renew                                    func(context.Context) (string, error)
	skew, timeout, minInterval, maxClockSkew time.Duration
	now                                      func() time.Time

	share *sharing // nil: this tab renews on its own

	mu     sync.Mutex
	cur    current
	flight *flight // the renewal in progress, or nil
}

// current is the token in use and what is known about it.
type current struct {
	token        string
	claims       Claims
	parseErr     error     // why token is unreadable; nil when readable or empty
	obtainedAt   time.Time // when the callback handed it over
	fromCallback bool      // false for the initial token: it gets no fresh-at-issue grace
}

// New returns a Renewer holding o.Token.
func New(o Options) *Renewer {
	r := &Renewer{
		renew:        o.Renew,
		skew:         duration(o.Skew, DefaultSkew),
		timeout:      duration(o.RenewTimeout, DefaultRenewTimeout),
		minInterval:  duration(o.MinRenewInterval, DefaultMinRenewInterval),
		maxClockSkew: duration(o.MaxClockSkew, DefaultMaxClockSkew),
		now:          o.Now,
	}
	if o.RenewTimeout < 0 { // a timeout of "none" would let a hung callback hang every call
		r.timeout = DefaultRenewTimeout
	}
	if r.now == nil {
		r.now = time.Now
	}
	r.cur.token = strings.TrimSpace(o.Token)
	if r.cur.token != "" {
		r.cur.claims, r.cur.parseErr = ParseClaims(r.cur.token)
	}
	if scope, ok := Scope(r.cur.token); ok && o.Tabs != nil && r.renew != nil {
		r.share = newSharing(o.Tabs, scope, o.LockTimeout)
		o.Tabs.Listen(func(m Message) { r.share.receive(m, r) })
	}
	return r
}

// Close stops sharing renewals with other tabs. A nil Renewer is closed.
func (r *Renewer) Close() {
	if r != nil && r.share != nil {
		r.share.tabs.Close()
	}
}

func duration(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}

// Token returns a usable token: the current one while it is readable and
// not within Skew of its exp (or still fresh at issue); otherwise it renews,
// sharing one callback with every concurrent caller, and returns the new
// one. With no token and no callback it returns "", nil: calls without auth
// are allowed.
func (r *Renewer) Token(ctx context.Context) (string, error) {
	r.mu.Lock()
	if f := r.flight; f != nil {
		f.waiters++
		r.mu.Unlock()
		return f.wait(ctx)
	}
	c := r.cur
	now := r.now()
	switch {
	case c.token == "":
		if r.renew == nil {
			r.mu.Unlock()
			return "", nil
		}
	case c.parseErr != nil:
		if r.renew == nil {
			r.mu.Unlock()
			return "", sberr.Wrap(c.parseErr, sberr.TokenInvalid, "access token is unreadable (%s) and no onAccessTokenExpired callback was given; pass the checkout token from your backend", message(c.parseErr))
		}
	case now.Before(c.claims.ExpiresAt.Add(-r.skew)) || r.freshAtIssue(c, now):
		r.mu.Unlock()
		return c.token, nil
	case r.renew == nil:
		r.mu.Unlock()
		if now.Before(c.claims.ExpiresAt) { // within skew but not expired: still worth sending
			return c.token, nil
		}
		return "", sberr.New(sberr.TokenInvalid, "token expired at %s and no onAccessTokenExpired callback was given; pass one that resolves with a fresh token", c.claims.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return r.start(ctx, false) // unlocks
}

// freshAtIssue reports whether c came from the callback less than
// MinRenewInterval ago; see the package doc on wrong clocks.
func (r *Renewer) freshAtIssue(c current, now time.Time) bool {
	age := now.Sub(c.obtainedAt)
	return c.fromCallback && age >= 0 && age < r.minInterval
}

// Invalidate is called after the server answered 401 invalid_token for the
// token stale. If stale is still the current token it renews (sharing one
// callback with every concurrent caller); if another caller has already
// replaced it, it returns the current token without calling back.
func (r *Renewer) Invalidate(ctx context.Context, stale string) (string, error) {
	stale = strings.TrimSpace(stale)
	r.mu.Lock()
	if f := r.flight; f != nil {
		if stale == f.old {
			f.rejected = true
		}
		f.waiters++
		r.mu.Unlock()
		return f.wait(ctx)
	}
	if r.cur.token != stale {
		tok := r.cur.token
		r.mu.Unlock()
		return tok, nil
	}
	if r.renew == nil {
		r.mu.Unlock()
		return "", sberr.New(sberr.TokenInvalid, "the server rejected the access token and no onAccessTokenExpired callback was given; pass one that resolves with a fresh token")
	}
	return r.start(ctx, true) // unlocks
}

// Claims returns the claims of the current token, if it is readable.
func (r *Renewer) Claims() (Claims, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur.token == "" || r.cur.parseErr != nil {
		return Claims{}, false
	}
	return r.cur.claims, true
}

// message is err's text without its code prefix, for nesting in another message.
func message(err error) string {
	if e, ok := err.(*sberr.Error); ok {
		return e.Message
	}
	return err.Error()
}
