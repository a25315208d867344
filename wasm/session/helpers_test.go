package session

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// t0 is the fake clock's start: a whole second, as exp has second resolution.
var t0 = time.Unix(1_700_000_000, 0)

// fakeClock is the Now seam; safe for concurrent use.
type fakeClock struct{ ns atomic.Int64 }

func newClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.ns.Store(t.UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) Set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *fakeClock) Add(d time.Duration) { c.ns.Add(int64(d)) }

// jwt builds an unsigned-looking JWT around the given payload JSON.
func jwt(payload string) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
	return h + "." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".c2ln"
}

var tokenSeq atomic.Int64

// tokenExp returns a distinct checkout token that expires at exp.
func tokenExp(t testing.TB, exp time.Time) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"partner_id": "p1", "client_id": "c1", "customer_id": "cu1", "invoice_id": "in1",
		"exp": exp.Unix(), "jti": tokenSeq.Add(1),
	})
	require.NoError(t, err)
	return jwt(string(b))
}

// counted wraps a renew function and counts its invocations.
type counted struct {
	n  atomic.Int32
	fn func(ctx context.Context, call int32) (string, error)
}

func (c *counted) Renew(ctx context.Context) (string, error) {
	return c.fn(ctx, c.n.Add(1))
}

func (c *counted) Calls() int { return int(c.n.Load()) }

// waitForWaiters spins (no timing assumptions) until a renewal is in flight
// with at least n callers waiting on it.
func waitForWaiters(t testing.TB, r *Renewer, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second) // a bound against hanging, not a timing assumption
	for {
		r.mu.Lock()
		got := 0
		if r.flight != nil {
			got = r.flight.waiters
		}
		r.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d callers joined the renewal", got, n)
		}
		runtime.Gosched()
	}
}
