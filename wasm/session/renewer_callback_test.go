package session

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sealbridge/sealbridge/wasm/sberr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCallbackFailures(t *testing.T) {
	cause := errors.New("backend said 503")
	tests := []struct {
		name     string
		fail     func(ctx context.Context) (string, error)
		wantCode sberr.Code
		wantMsg  string
	}{
		{"error", func(context.Context) (string, error) { return "", cause }, sberr.TokenRefreshFailed,
			"onAccessTokenExpired rejected: backend said 503; make it resolve with a fresh token string"},
		{"empty token", func(context.Context) (string, error) { return "", nil }, sberr.TokenRefreshFailed,
			"onAccessTokenExpired resolved with an empty token; make it resolve with a fresh token string"},
		{"blank token", func(context.Context) (string, error) { return " \n", nil }, sberr.TokenRefreshFailed,
			"resolved with an empty token"},
		{"panic", func(context.Context) (string, error) { panic("boom") }, sberr.Internal,
			"onAccessTokenExpired panicked: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock(t0)
			cb := &counted{fn: func(ctx context.Context, call int32) (string, error) {
				if call == 1 {
					return tt.fail(ctx)
				}
				return tokenExp(t, clk.Now().Add(time.Hour)), nil
			}}
			initial := tokenExp(t, t0)
			r := New(Options{Token: initial, Renew: cb.Renew, Now: clk.Now})
			got, err := r.Token(context.Background())
			assert.Equal(t, "", got)
			assert.Equal(t, tt.wantCode, sberr.CodeOf(err))
			assert.ErrorContains(t, err, tt.wantMsg)
			assert.Equal(t, 1, cb.Calls())
			if tt.name == "error" {
				assert.ErrorIs(t, err, cause)
			}
			// The failure kept the old token; the next call tries again and works.
			got, err = r.Token(context.Background())
			require.NoError(t, err)
			assert.NotEqual(t, initial, got)
			assert.Equal(t, 2, cb.Calls())
		})
	}
}

func TestCallbackHangTimesOut(t *testing.T) {
	clk := newClock(t0)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	ctxErr := make(chan error, 1)
	cb := &counted{fn: func(ctx context.Context, call int32) (string, error) {
		if call == 1 {
			go func() { <-ctx.Done(); ctxErr <- ctx.Err() }()
			<-release // ignores ctx: the Renewer must not wait for it
			return "too late", nil
		}
		return tokenExp(t, clk.Now().Add(time.Hour)), nil
	}}
	r := New(Options{Renew: cb.Renew, RenewTimeout: 50 * time.Millisecond, Now: clk.Now})
	got, err := r.Token(context.Background())
	assert.Equal(t, "", got)
	assert.Equal(t, sberr.Timeout, sberr.CodeOf(err))
	assert.ErrorContains(t, err, "onAccessTokenExpired did not settle within 50ms")
	assert.ErrorIs(t, <-ctxErr, context.DeadlineExceeded, "the callback's ctx is cancelled at the deadline")

	got, err = r.Token(context.Background())
	require.NoError(t, err)
	assert.NotEmpty(t, got)
	assert.Equal(t, 2, cb.Calls())
}

func TestCallbackReturningCtxErrorIsTimeout(t *testing.T) {
	clk := newClock(t0)
	cb := &counted{fn: func(ctx context.Context, _ int32) (string, error) {
		<-ctx.Done()
		return "", ctx.Err()
	}}
	r := New(Options{Renew: cb.Renew, RenewTimeout: 20 * time.Millisecond, Now: clk.Now})
	_, err := r.Token(context.Background())
	assert.Equal(t, sberr.Timeout, sberr.CodeOf(err))
}

func TestCallbackKeepsCallerContextValues(t *testing.T) {
	type key struct{}
	clk := newClock(t0)
	var got any
	cb := &counted{fn: func(ctx context.Context, _ int32) (string, error) {
		got = ctx.Value(key{})
		_, hasDeadline := ctx.Deadline()
		assert.True(t, hasDeadline)
		return tokenExp(t, clk.Now().Add(time.Hour)), nil
	}}
	r := New(Options{Renew: cb.Renew, Now: clk.Now})
	_, err := r.Token(context.WithValue(context.Background(), key{}, "v"))
	require.NoError(t, err)
	assert.Equal(t, "v", got)
}
