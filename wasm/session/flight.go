package session

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// flight is one renewal shared by all its waiters. It is written by hand
// rather than taken from golang.org/x/sync/singleflight: that module is not
// in go.mod, this is a few lines, and it needs what singleflight lacks —
// per-waiter context cancellation while the renewal goes on, a timeout that
// does not wait for the callback, and a hook (rejected) for Invalidate.
type flight struct {
	done chan struct{} // closed once token and err are set
	old  string        // the token being replaced

	// Guarded by Renewer.mu until done is closed.
	rejected bool // the server answered 401 for old
	waiters  int  // callers waiting, for tests

	// Written once before done is closed; read-only afterwards.
	token string
	err   *sberr.Error
}

// start begins a renewal and waits for it. r.mu must be held; start releases it.
func (r *Renewer) start(ctx context.Context, rejected bool) (string, error) {
	if err := ctx.Err(); err != nil { // a dead call must not make the page renew
		r.mu.Unlock()
		return "", waitErr(err)
	}
	f := &flight{done: make(chan struct{}), old: r.cur.token, rejected: rejected, waiters: 1}
	r.flight = f
	r.mu.Unlock()
	// The renewal must outlive the caller that started it, as others may
	// join it: keep ctx's values, drop its cancellation.
	go r.run(context.WithoutCancel(ctx), f)
	return f.wait(ctx)
}

type result struct {
	token string
	err   error
}

// run calls the callback once and settles f. It waits for the callback at
// most r.timeout: a hung callback keeps its own goroutine, not the waiters.
func (r *Renewer) run(base context.Context, f *flight) {
	timeout := r.timeout
	if r.share != nil { // the wait for another tab's renewal comes first
		timeout += r.share.lockTimeout + r.share.grace
	}
	ctx, cancel := context.WithTimeout(base, timeout)
	defer cancel()
	ch := make(chan result, 1) // buffered: a late callback must not block forever
	go func() {
		defer func() {
			if p := recover(); p != nil {
				ch <- result{err: sberr.New(sberr.Internal, "onAccessTokenExpired panicked: %v", p)}
			}
		}()
		tok, err := r.callback(ctx, f)
		ch <- result{token: tok, err: err}
	}()
	var res result
	select {
	case res = <-ch:
	case <-ctx.Done():
		res = result{err: ctx.Err()}
	}
	timedOut := res.err != nil && ctx.Err() != nil // the callback may have returned ctx.Err() itself

	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	f.token, f.err = r.settle(f, res, timedOut, now)
	if f.err == nil {
		r.cur = current{token: f.token, obtainedAt: now, fromCallback: true}
		r.cur.claims, _ = ParseClaims(f.token) // settle has checked it
	}
	r.flight = nil
	close(f.done)
}

// callback renews once: through the other tabs when shared, else by
// calling onAccessTokenExpired.
func (r *Renewer) callback(ctx context.Context, f *flight) (string, error) {
	if r.share == nil {
		return r.renew(ctx)
	}
	return r.share.renew(ctx, f.old, r)
}

// settle turns the callback's result into the token or error every waiter
// gets. r.mu is held.
func (r *Renewer) settle(f *flight, res result, timedOut bool, now time.Time) (string, *sberr.Error) {
	switch {
	case timedOut:
		return "", sberr.Wrap(res.err, sberr.Timeout, "onAccessTokenExpired did not settle within %s; make it resolve with a fresh token sooner", r.timeout)
	case res.err != nil:
		if e, ok := res.err.(*sberr.Error); ok && (e.Code == sberr.Internal || e.Code == sberr.Timeout) {
			return "", e
		}
		return "", sberr.Wrap(res.err, sberr.TokenRefreshFailed, "onAccessTokenExpired rejected: %s; make it resolve with a fresh token string", res.err.Error())
	}
	tok := strings.TrimSpace(res.token)
	if tok == "" {
		return "", sberr.New(sberr.TokenRefreshFailed, "onAccessTokenExpired resolved with an empty token; make it resolve with a fresh token string")
	}
	claims, err := ParseClaims(tok)
	if err != nil {
		return "", sberr.Wrap(err, sberr.TokenInvalid, "onAccessTokenExpired resolved with an unreadable token (%s); make it resolve with the checkout token from your backend", message(err))
	}
	if f.rejected && tok == f.old {
		return "", sberr.New(sberr.TokenInvalid, "onAccessTokenExpired resolved with the token the server has just rejected; make it fetch a new one from your backend")
	}
	if !now.Before(claims.ExpiresAt.Add(r.maxClockSkew)) {
		return "", sberr.New(sberr.TokenInvalid, "onAccessTokenExpired resolved with a token that expired at %s, more than %s before this page's clock (%s); make it fetch a new one from your backend",
			claims.ExpiresAt.UTC().Format(time.RFC3339), r.maxClockSkew, now.UTC().Format(time.RFC3339))
	}
	return tok, nil
}

// wait returns f's result, or an error once ctx ends.
func (f *flight) wait(ctx context.Context) (string, error) {
	select { // a settled flight wins over a cancelled ctx
	case <-f.done:
		return f.result()
	default:
	}
	select {
	case <-f.done:
		return f.result()
	case <-ctx.Done():
		return "", waitErr(ctx.Err())
	}
}

// result gives each waiter its own copy of the error, so that one caller
// annotating it cannot change what the others see.
func (f *flight) result() (string, error) {
	if f.err != nil {
		e := *f.err
		return "", &e
	}
	return f.token, nil
}

// waitErr maps a caller's own ctx ending to sberr.Timeout. Cancellation is
// not a Sealbridge bug (Internal), and there is no separate code for it;
// the wrapped cause tells the two apart via errors.Is.
func waitErr(err error) error {
	what := "was cancelled"
	if errors.Is(err, context.DeadlineExceeded) {
		what = "ran past its deadline"
	}
	return sberr.Wrap(err, sberr.Timeout, "the call %s while waiting for onAccessTokenExpired to renew the token; give it more time", what)
}
