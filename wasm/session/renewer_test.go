package session

import (
	"context"
	"testing"
	"time"

	"github.com/sealbridge/sealbridge/wasm/sberr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fresh returns a renew callback that mints a token valid for an hour on clk.
func fresh(t *testing.T, clk *fakeClock) *counted {
	return &counted{fn: func(context.Context, int32) (string, error) {
		return tokenExp(t, clk.Now().Add(time.Hour)), nil
	}}
}

func TestTokenExpiryBoundaries(t *testing.T) {
	exp := t0.Add(time.Hour)
	tests := []struct {
		name      string
		skew      time.Duration
		now       time.Time
		wantRenew bool
	}{
		{"default skew: 1ns before exp-30s", 0, exp.Add(-30*time.Second - 1), false},
		{"default skew: exactly exp-30s", 0, exp.Add(-30 * time.Second), true},
		{"default skew: at exp", 0, exp, true},
		{"default skew: long expired", 0, exp.Add(48 * time.Hour), true},
		{"skew 10s: 1ns before exp-10s", 10 * time.Second, exp.Add(-10*time.Second - 1), false},
		{"skew 10s: exactly exp-10s", 10 * time.Second, exp.Add(-10 * time.Second), true},
		{"negative skew = none: 1ns before exp", -1, exp.Add(-1), false},
		{"negative skew = none: exactly exp", -1, exp, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock(tt.now)
			initial := tokenExp(t, exp)
			cb := fresh(t, clk)
			r := New(Options{Token: initial, Renew: cb.Renew, Skew: tt.skew, Now: clk.Now})
			got, err := r.Token(context.Background())
			require.NoError(t, err)
			if tt.wantRenew {
				assert.Equal(t, 1, cb.Calls())
				assert.NotEqual(t, initial, got)
			} else {
				assert.Equal(t, 0, cb.Calls())
				assert.Equal(t, initial, got)
			}
		})
	}
}

func TestNoTokenNoCallback(t *testing.T) {
	r := New(Options{})
	got, err := r.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "", got)
	_, ok := r.Claims()
	assert.False(t, ok)
}

func TestNoTokenWithCallbackRenews(t *testing.T) {
	clk := newClock(t0)
	cb := fresh(t, clk)
	r := New(Options{Renew: cb.Renew, Now: clk.Now})
	got, err := r.Token(context.Background())
	require.NoError(t, err)
	assert.NotEmpty(t, got)
	assert.Equal(t, 1, cb.Calls())
	c, ok := r.Claims()
	require.True(t, ok)
	assert.Equal(t, "p1", c.PartnerID)
	assert.True(t, c.ExpiresAt.Equal(t0.Add(time.Hour)))
}

func TestNoCallback(t *testing.T) {
	exp := t0.Add(time.Hour)
	tok := tokenExp(t, exp)
	ctx := context.Background()

	t.Run("expired token", func(t *testing.T) {
		r := New(Options{Token: tok, Now: newClock(exp).Now})
		got, err := r.Token(ctx)
		assert.Equal(t, "", got)
		assert.Equal(t, sberr.TokenInvalid, sberr.CodeOf(err))
		assert.ErrorContains(t, err, "token expired at 2023-11-14T23:13:20Z and no onAccessTokenExpired callback was given")
	})
	t.Run("within skew but not expired: still sent", func(t *testing.T) {
		r := New(Options{Token: tok, Now: newClock(exp.Add(-1)).Now})
		got, err := r.Token(ctx)
		require.NoError(t, err)
		assert.Equal(t, tok, got)
	})
	t.Run("garbage token", func(t *testing.T) {
		r := New(Options{Token: "not-a-jwt", Now: newClock(t0).Now})
		_, err := r.Token(ctx)
		assert.Equal(t, sberr.TokenInvalid, sberr.CodeOf(err))
		assert.ErrorContains(t, err, "no onAccessTokenExpired callback was given")
		_, ok := r.Claims()
		assert.False(t, ok)
	})
	t.Run("invalidate", func(t *testing.T) {
		r := New(Options{Token: tok, Now: newClock(t0).Now})
		_, err := r.Invalidate(ctx, tok)
		assert.Equal(t, sberr.TokenInvalid, sberr.CodeOf(err))
		assert.ErrorContains(t, err, "the server rejected the access token and no onAccessTokenExpired callback was given")
	})
}

func TestGarbageInitialTokenRenewsOnce(t *testing.T) {
	clk := newClock(t0)
	cb := fresh(t, clk)
	r := New(Options{Token: "garbage", Renew: cb.Renew, Now: clk.Now})
	got, err := r.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, cb.Calls())
	_, err = ParseClaims(got)
	require.NoError(t, err)
	again, err := r.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, got, again)
	assert.Equal(t, 1, cb.Calls())
}

func TestRenewedTokenUnusable(t *testing.T) {
	clk := newClock(t0)
	initial := tokenExp(t, t0) // expired
	tests := []struct {
		name    string
		renewed string
		wantMsg string
	}{
		{"not three parts", "garbage", "resolved with an unreadable token (access token has 1 dot-separated parts"},
		{"no exp", jwt(`{"partner_id":"p"}`), "no numeric exp"},
		{"expired beyond MaxClockSkew", tokenExp(t, t0.Add(-DefaultMaxClockSkew)), "expired at 2023-11-13T22:13:20Z, more than 24h0m0s before this page's clock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cb := &counted{fn: func(context.Context, int32) (string, error) { return tt.renewed, nil }}
			r := New(Options{Token: initial, Renew: cb.Renew, Now: clk.Now})
			got, err := r.Token(context.Background())
			assert.Equal(t, "", got)
			assert.Equal(t, sberr.TokenInvalid, sberr.CodeOf(err))
			assert.ErrorContains(t, err, tt.wantMsg)
			assert.Equal(t, 1, cb.Calls(), "no second callback in the same call")

			// The bad token was not kept; the next call renews again, once.
			c, ok := r.Claims()
			require.True(t, ok)
			assert.True(t, c.ExpiresAt.Equal(t0))
			_, err = r.Token(context.Background())
			assert.Equal(t, sberr.TokenInvalid, sberr.CodeOf(err))
			assert.Equal(t, 2, cb.Calls())
		})
	}
}

func TestRenewedTokenExpiredByLocalClockIsUsed(t *testing.T) {
	// The page clock may be ahead: a token that expired within MaxClockSkew
	// is handed over, and the server judges it.
	clk := newClock(t0)
	renewed := tokenExp(t, t0.Add(-DefaultMaxClockSkew+time.Second))
	cb := &counted{fn: func(context.Context, int32) (string, error) { return renewed, nil }}
	r := New(Options{Renew: cb.Renew, Now: clk.Now})
	got, err := r.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, renewed, got)

	strict := New(Options{Renew: cb.Renew, Now: clk.Now, MaxClockSkew: -1})
	_, err = strict.Token(context.Background())
	assert.Equal(t, sberr.TokenInvalid, sberr.CodeOf(err), "MaxClockSkew < 0: any expired token is refused")
}

func TestClockAheadNoStorm(t *testing.T) {
	// The page clock runs an hour ahead of the server: every token the
	// server mints (15 min lifetime) looks expired here.
	server := newClock(t0)
	page := newClock(t0.Add(time.Hour))
	cb := &counted{fn: func(context.Context, int32) (string, error) {
		return tokenExp(t, server.Now().Add(15*time.Minute)), nil
	}}
	r := New(Options{Token: tokenExp(t, server.Now().Add(15*time.Minute)), Renew: cb.Renew, Now: page.Now})
	ctx := context.Background()

	first, err := r.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, cb.Calls(), "the initial token looks expired: one renewal")
	for range 100 {
		got, err := r.Token(ctx)
		require.NoError(t, err)
		assert.Equal(t, first, got, "the fresh token is used although it looks expired")
	}
	assert.Equal(t, 1, cb.Calls(), "no storm within MinRenewInterval")

	server.Add(DefaultMinRenewInterval - 1)
	page.Add(DefaultMinRenewInterval - 1)
	_, err = r.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, cb.Calls(), "1ns before MinRenewInterval: still fresh at issue")

	server.Add(1)
	page.Add(1)
	for range 100 {
		_, err := r.Token(ctx)
		require.NoError(t, err)
	}
	assert.Equal(t, 2, cb.Calls(), "exactly one renewal per MinRenewInterval")

	// A 401 still renews at once, inside the interval.
	cur, _ := r.Token(ctx)
	_, err = r.Invalidate(ctx, cur)
	require.NoError(t, err)
	assert.Equal(t, 3, cb.Calls())
}

func TestClockAheadSameTokenBack(t *testing.T) {
	// A page whose callback hands back its cached token: accepted on a
	// proactive renewal (the server may still take it), refused after a 401.
	page := newClock(t0.Add(time.Hour))
	tok := tokenExp(t, t0.Add(15*time.Minute))
	cb := &counted{fn: func(context.Context, int32) (string, error) { return tok, nil }}
	r := New(Options{Token: tok, Renew: cb.Renew, Now: page.Now})
	got, err := r.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, tok, got)

	_, err = r.Invalidate(context.Background(), tok)
	assert.Equal(t, sberr.TokenInvalid, sberr.CodeOf(err))
	assert.ErrorContains(t, err, "resolved with the token the server has just rejected")
	assert.Equal(t, 2, cb.Calls())
}

func TestMinRenewIntervalConfigurable(t *testing.T) {
	clk := newClock(t0)
	// Tokens live 10s, less than the 30s skew: each looks due at once.
	cb := &counted{fn: func(context.Context, int32) (string, error) {
		return tokenExp(t, clk.Now().Add(10*time.Second)), nil
	}}
	r := New(Options{Renew: cb.Renew, MinRenewInterval: time.Minute, Now: clk.Now})
	_, err := r.Token(context.Background())
	require.NoError(t, err)
	clk.Add(time.Minute - 1)
	_, err = r.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, cb.Calls())
	clk.Add(1)
	_, err = r.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 2, cb.Calls())

	none := New(Options{Renew: cb.Renew, MinRenewInterval: -1, Now: clk.Now})
	for range 3 {
		_, err := none.Token(context.Background())
		require.NoError(t, err)
	}
	assert.Equal(t, 5, cb.Calls(), "MinRenewInterval < 0: every call renews a due token")
}

func TestInvalidate(t *testing.T) {
	ctx := context.Background()
	clk := newClock(t0)
	initial := tokenExp(t, t0.Add(time.Hour))
	cb := fresh(t, clk)
	r := New(Options{Token: initial, Renew: cb.Renew, Now: clk.Now})

	renewed, err := r.Invalidate(ctx, initial)
	require.NoError(t, err)
	assert.NotEqual(t, initial, renewed)
	assert.Equal(t, 1, cb.Calls())

	// A late 401 for the old token: already replaced, no callback.
	got, err := r.Invalidate(ctx, initial)
	require.NoError(t, err)
	assert.Equal(t, renewed, got)
	assert.Equal(t, 1, cb.Calls())

	// A 401 for a token obtained a moment ago renews despite MinRenewInterval.
	got, err = r.Invalidate(ctx, renewed)
	require.NoError(t, err)
	assert.NotEqual(t, renewed, got)
	assert.Equal(t, 2, cb.Calls())

	tok, err := r.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, got, tok)
	assert.Equal(t, 2, cb.Calls())
}

func TestInvalidateUnauthenticated(t *testing.T) {
	// A 401 on a call made without a token, with a callback: renew.
	clk := newClock(t0)
	cb := fresh(t, clk)
	r := New(Options{Renew: cb.Renew, Now: clk.Now})
	got, err := r.Invalidate(context.Background(), "")
	require.NoError(t, err)
	assert.NotEmpty(t, got)
	assert.Equal(t, 1, cb.Calls())
}

func TestCancelledCallerStartsNoRenewal(t *testing.T) {
	clk := newClock(t0)
	cb := fresh(t, clk)
	r := New(Options{Renew: cb.Renew, Now: clk.Now})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := r.Token(ctx)
	assert.Equal(t, sberr.Timeout, sberr.CodeOf(err))
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 0, cb.Calls())
}

func TestOptionDefaults(t *testing.T) {
	r := New(Options{})
	assert.Equal(t, DefaultSkew, r.skew)
	assert.Equal(t, DefaultRenewTimeout, r.timeout)
	assert.Equal(t, DefaultMinRenewInterval, r.minInterval)
	assert.Equal(t, DefaultMaxClockSkew, r.maxClockSkew)
	assert.NotNil(t, r.now)

	r = New(Options{Skew: -1, RenewTimeout: -1, MinRenewInterval: -1, MaxClockSkew: -1})
	assert.Zero(t, r.skew)
	assert.Equal(t, DefaultRenewTimeout, r.timeout, "no way to wait for a hung callback forever")
	assert.Zero(t, r.minInterval)
	assert.Zero(t, r.maxClockSkew)

	r = New(Options{Token: "  " + jwt(`{"exp":1}`) + "\n"})
	c, ok := r.Claims()
	require.True(t, ok, "surrounding blanks are trimmed")
	assert.True(t, c.ExpiresAt.Equal(time.Unix(1, 0)))
}
