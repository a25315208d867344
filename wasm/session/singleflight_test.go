package session

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sealbridge/sealbridge/wasm/sberr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const crowd = 1000

// gated returns a callback that blocks until gate is closed, then acts.
func gated(gate <-chan struct{}, act func(ctx context.Context) (string, error)) *counted {
	return &counted{fn: func(ctx context.Context, _ int32) (string, error) {
		<-gate
		return act(ctx)
	}}
}

// together runs n callers at once and collects their results.
func together(n int, call func() (string, error)) ([]string, []error) {
	toks, errs := make([]string, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { toks[i], errs[i] = call() })
	}
	wg.Wait()
	return toks, errs
}

func TestTokenSingleFlight(t *testing.T) {
	clk := newClock(t0)
	gate := make(chan struct{})
	renewed := tokenExp(t, t0.Add(time.Hour))
	cb := gated(gate, func(context.Context) (string, error) { return renewed, nil })
	r := New(Options{Token: tokenExp(t, t0), Renew: cb.Renew, Now: clk.Now})

	done := make(chan struct{})
	var toks []string
	var errs []error
	go func() {
		toks, errs = together(crowd, func() (string, error) { return r.Token(context.Background()) })
		close(done)
	}()
	waitForWaiters(t, r, crowd) // every caller has joined the one renewal
	close(gate)
	<-done

	assert.Equal(t, 1, cb.Calls())
	for i := range crowd {
		require.NoError(t, errs[i])
		require.Equal(t, renewed, toks[i])
	}
}

func TestInvalidateSingleFlight(t *testing.T) {
	clk := newClock(t0)
	gate := make(chan struct{})
	stale := tokenExp(t, t0.Add(time.Hour)) // valid by the clock; the server said 401
	renewed := tokenExp(t, t0.Add(time.Hour))
	cb := gated(gate, func(context.Context) (string, error) { return renewed, nil })
	r := New(Options{Token: stale, Renew: cb.Renew, Now: clk.Now})

	done := make(chan struct{})
	var toks []string
	var errs []error
	go func() {
		toks, errs = together(crowd, func() (string, error) { return r.Invalidate(context.Background(), stale) })
		close(done)
	}()
	waitForWaiters(t, r, crowd)
	close(gate)
	<-done

	assert.Equal(t, 1, cb.Calls())
	for i := range crowd {
		require.NoError(t, errs[i])
		require.Equal(t, renewed, toks[i])
	}
	// Stragglers with the stale token get the new one without a callback.
	toks, errs = together(crowd, func() (string, error) { return r.Invalidate(context.Background(), stale) })
	for i := range crowd {
		require.NoError(t, errs[i])
		require.Equal(t, renewed, toks[i])
	}
	assert.Equal(t, 1, cb.Calls())
}

func TestMixedCallersSingleFlight(t *testing.T) {
	clk := newClock(t0)
	gate := make(chan struct{})
	stale := tokenExp(t, t0)
	renewed := tokenExp(t, t0.Add(time.Hour))
	cb := gated(gate, func(context.Context) (string, error) { return renewed, nil })
	r := New(Options{Token: stale, Renew: cb.Renew, Now: clk.Now})

	done := make(chan struct{})
	var toks []string
	var errs []error
	go func() {
		var i atomic.Int32
		toks, errs = together(crowd, func() (string, error) {
			if i.Add(1)%2 == 0 {
				return r.Invalidate(context.Background(), stale)
			}
			return r.Token(context.Background())
		})
		close(done)
	}()
	waitForWaiters(t, r, crowd)
	close(gate)
	<-done
	assert.Equal(t, 1, cb.Calls())
	for i := range crowd {
		require.NoError(t, errs[i])
		require.Equal(t, renewed, toks[i])
	}
}

func TestEveryWaiterGetsTheFailure(t *testing.T) {
	cause := errors.New("nope")
	tests := []struct {
		name     string
		act      func(ctx context.Context) (string, error)
		timeout  time.Duration
		wantCode sberr.Code
	}{
		{"error", func(context.Context) (string, error) { return "", cause }, 0, sberr.TokenRefreshFailed},
		{"empty", func(context.Context) (string, error) { return "", nil }, 0, sberr.TokenRefreshFailed},
		{"garbage", func(context.Context) (string, error) { return "x.y", nil }, 0, sberr.TokenInvalid},
		// hang: the gate is never opened before the timeout; the callback
		// ignores its ctx. 300ms leaves the 100 waiters ample time to join.
		{"hang", nil, 300 * time.Millisecond, sberr.Timeout},
	}
	const n = 100
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock(t0)
			gate := make(chan struct{})
			var once sync.Once
			open := func() { once.Do(func() { close(gate) }) }
			t.Cleanup(open)
			cb := &counted{fn: func(ctx context.Context, call int32) (string, error) {
				if call > 1 {
					return tokenExp(t, clk.Now().Add(time.Hour)), nil
				}
				<-gate
				if tt.act == nil {
					return "late", nil
				}
				return tt.act(ctx)
			}}
			r := New(Options{Token: tokenExp(t, t0), Renew: cb.Renew, RenewTimeout: tt.timeout, Now: clk.Now})

			done := make(chan struct{})
			var errs []error
			go func() {
				_, errs = together(n, func() (string, error) { return r.Token(context.Background()) })
				close(done)
			}()
			if tt.act != nil {
				waitForWaiters(t, r, n)
				open()
			}
			<-done
			assert.Equal(t, 1, cb.Calls())
			for _, err := range errs {
				require.Equal(t, tt.wantCode, sberr.CodeOf(err), "%v", err)
			}
			// Distinct copies: one caller changing its error cannot touch another's.
			assert.NotSame(t, sberr.As(errs[0]), sberr.As(errs[1]))

			got, err := r.Token(context.Background())
			require.NoError(t, err)
			assert.NotEmpty(t, got)
			assert.Equal(t, 2, cb.Calls())
		})
	}
}

func TestWaiterContextEnds(t *testing.T) {
	for _, tt := range []struct {
		name    string
		ctx     func() (context.Context, context.CancelFunc)
		wantErr error
	}{
		{"cancelled", func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }, context.Canceled},
		// A deadline passing mid-wait, without sleeping: see deadlineCtx.
		{"deadline", deadlineCtx, context.DeadlineExceeded},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock(t0)
			gate := make(chan struct{})
			renewed := tokenExp(t, t0.Add(time.Hour))
			cb := gated(gate, func(context.Context) (string, error) { return renewed, nil })
			r := New(Options{Token: tokenExp(t, t0), Renew: cb.Renew, Now: clk.Now})

			// The starter: its ctx ending must not end the renewal.
			ctx, cancel := tt.ctx()
			defer cancel()
			starter := make(chan error, 1)
			go func() { _, err := r.Token(ctx); starter <- err }()
			waitForWaiters(t, r, 1)

			other := make(chan string, 1)
			go func() { tok, err := r.Token(context.Background()); assert.NoError(t, err); other <- tok }()
			waitForWaiters(t, r, 2)

			cancel()
			err := <-starter
			assert.Equal(t, sberr.Timeout, sberr.CodeOf(err))
			assert.ErrorIs(t, err, tt.wantErr)
			assert.ErrorContains(t, err, "while waiting for onAccessTokenExpired")

			close(gate)
			assert.Equal(t, renewed, <-other)
			assert.Equal(t, 1, cb.Calls())
		})
	}
}

// deadlineCtx is a context that reports DeadlineExceeded once its cancel
// function is called, standing in for a deadline passing mid-wait.
func deadlineCtx() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(context.Background())
	return deadlineErrCtx{ctx}, func() { cancel(context.DeadlineExceeded) }
}

type deadlineErrCtx struct{ context.Context }

func (c deadlineErrCtx) Err() error {
	if c.Context.Err() != nil {
		return context.DeadlineExceeded
	}
	return nil
}

func TestSettledFlightWinsOverCancelledCtx(t *testing.T) {
	f := &flight{done: make(chan struct{}), token: "tok"}
	close(f.done)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 100 {
		got, err := f.wait(ctx)
		require.NoError(t, err)
		require.Equal(t, "tok", got)
	}
}
