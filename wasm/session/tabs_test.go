package session

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hub plays the browser for the clients of one scope: one lock, like Web
// Locks, and ordered delivery to every other member, like BroadcastChannel.
type hub struct {
	sem     chan struct{}
	mu      sync.Mutex
	members map[*hubTab]bool
}

func newHub() *hub { return &hub{sem: make(chan struct{}, 1), members: map[*hubTab]bool{}} }

type hubTab struct {
	h       *hub
	inbox   chan Message
	done    chan struct{}
	mu      sync.Mutex
	holding func() // release of the lock this tab holds, if any
	posted  atomic.Int32
	closing sync.Once
}

func (h *hub) tab() *hubTab {
	t := &hubTab{h: h, inbox: make(chan Message, 1000), done: make(chan struct{})}
	h.mu.Lock()
	h.members[t] = true
	h.mu.Unlock()
	return t
}

func (t *hubTab) Lock(ctx context.Context) (func(), bool, error) {
	waited := false
	select {
	case t.h.sem <- struct{}{}:
	default:
		waited = true
		select {
		case t.h.sem <- struct{}{}:
		case <-ctx.Done():
			return nil, true, ctx.Err()
		}
	}
	var once sync.Once
	release := func() { once.Do(func() { <-t.h.sem }) }
	t.mu.Lock()
	t.holding = release
	t.mu.Unlock()
	return release, waited, nil
}

func (t *hubTab) Post(m Message) {
	t.posted.Add(1)
	t.h.mu.Lock()
	defer t.h.mu.Unlock()
	for o := range t.h.members {
		if o != t {
			o.inbox <- m
		}
	}
}

func (t *hubTab) Listen(fn func(Message)) {
	go func() {
		for {
			select {
			case m := <-t.inbox:
				fn(m)
			case <-t.done:
				return
			}
		}
	}()
}

// Close is the tab going away: the browser frees the locks it held.
func (t *hubTab) Close() { t.closing.Do(t.close) }

func (t *hubTab) close() {
	t.h.mu.Lock()
	delete(t.h.members, t)
	t.h.mu.Unlock()
	close(t.done)
	t.mu.Lock()
	if t.holding != nil {
		t.holding()
	}
	t.mu.Unlock()
}

// sharedTabs builds n renewers of one scope on one hub, each with its own
// expired token, renewing through renew.
func sharedTabs(t *testing.T, n int, clock *fakeClock, lockTimeout time.Duration, renew func(ctx context.Context) (string, error)) ([]*Renewer, []*hubTab) {
	h := newHub()
	var rs []*Renewer
	var tabs []*hubTab
	for range n {
		tab := h.tab()
		r := New(Options{Token: tokenExp(t, t0.Add(time.Minute)), Renew: renew, Now: clock.Now, Tabs: tab, LockTimeout: lockTimeout})
		t.Cleanup(r.Close)
		rs, tabs = append(rs, r), append(tabs, tab)
	}
	clock.Set(t0.Add(2 * time.Minute)) // every token has expired
	return rs, tabs
}

func TestTwoTabsTwentyCallsEachOneCallback(t *testing.T) {
	for round := range 20 { // races differ from run to run
		clock := newClock(t0)
		var calls atomic.Int32
		rs, _ := sharedTabs(t, 2, clock, time.Minute, func(context.Context) (string, error) {
			calls.Add(1)
			time.Sleep(5 * time.Millisecond) // a real callback takes a round trip
			return tokenExp(t, t0.Add(time.Hour)), nil
		})
		var wg sync.WaitGroup
		got := make(chan string, 40)
		for _, r := range rs {
			for range 20 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					tok, err := r.Token(context.Background())
					assert.NoError(t, err)
					got <- tok
				}()
			}
		}
		wg.Wait()
		close(got)
		require.Equal(t, int32(1), calls.Load(), "round %d: one onAccessTokenExpired across both tabs", round)
		var first string
		for tok := range got {
			if first == "" {
				first = tok
			}
			require.Equal(t, first, tok, "every call of both tabs uses the renewed token")
		}
	}
}

func TestIdleTabAdoptsTheTokenAnotherTabRenewed(t *testing.T) {
	clock := newClock(t0)
	var calls atomic.Int32
	rs, _ := sharedTabs(t, 2, clock, time.Minute, func(context.Context) (string, error) {
		calls.Add(1)
		return tokenExp(t, t0.Add(time.Hour)), nil
	})
	tok, err := rs[0].Token(context.Background())
	require.NoError(t, err)
	require.Eventually(t, func() bool { c, _ := rs[1].Claims(); return c.ExpiresAt.Equal(t0.Add(time.Hour)) }, 5*time.Second, time.Millisecond)
	tok2, err := rs[1].Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, tok, tok2)
	assert.Equal(t, int32(1), calls.Load())
}

func TestTabClosedWhileHoldingTheLockDoesNotBlockTheOther(t *testing.T) {
	clock := newClock(t0)
	inCallback := make(chan struct{})
	var once sync.Once
	var calls atomic.Int32
	renew := func(ctx context.Context) (string, error) {
		if calls.Add(1) == 1 { // the first tab's callback hangs, lock held
			once.Do(func() { close(inCallback) })
			<-ctx.Done()
			return "", ctx.Err()
		}
		return tokenExp(t, t0.Add(time.Hour)), nil
	}
	const lockTimeout = 20 * time.Second
	rs, tabs := sharedTabs(t, 2, clock, lockTimeout, renew)
	go func() { _, _ = rs[0].Token(context.Background()) }()
	<-inCallback
	done := make(chan error, 1)
	start := time.Now()
	go func() { _, err := rs[1].Token(context.Background()); done <- err }()
	time.Sleep(50 * time.Millisecond) // the second tab is now waiting for the lock
	tabs[0].Close()
	select {
	case err := <-done:
		require.NoError(t, err)
		assert.Less(t, time.Since(start), lockTimeout, "renewed once the closed tab's lock was freed")
	case <-time.After(lockTimeout):
		t.Fatal("the closed tab's lock blocked the other tab past its acquire timeout")
	}
	assert.Equal(t, int32(2), calls.Load())
}

func TestHungHolderIsGivenUpAfterTheAcquireTimeout(t *testing.T) {
	clock := newClock(t0)
	inCallback := make(chan struct{})
	var calls atomic.Int32
	rs, _ := sharedTabs(t, 2, clock, 100*time.Millisecond, func(ctx context.Context) (string, error) {
		if calls.Add(1) == 1 {
			close(inCallback)
			<-ctx.Done()
			return "", ctx.Err()
		}
		return tokenExp(t, t0.Add(time.Hour)), nil
	})
	go func() { _, _ = rs[0].Token(context.Background()) }()
	<-inCallback
	tok, err := rs[1].Token(context.Background())
	require.NoError(t, err, "the second tab renewed on its own")
	assert.NotEmpty(t, tok)
	assert.Equal(t, int32(2), calls.Load())
}

func TestTokensOfAnotherScopeOrUnreadableAreIgnored(t *testing.T) {
	clock := newClock(t0)
	var calls atomic.Int32
	rs, tabs := sharedTabs(t, 2, clock, time.Minute, func(context.Context) (string, error) {
		calls.Add(1)
		return tokenExp(t, t0.Add(time.Hour)), nil
	})
	other := jwt(`{"partner_id":"p1","client_id":"c1","customer_id":"someone-else","invoice_id":"in1","exp":` + itoa(t0.Add(time.Hour).Unix()) + `}`)
	for _, m := range []Message{{Kind: TokenMessage, Token: other}, {Kind: TokenMessage, Token: "garbage"}, {Kind: "bogus", Token: other}} {
		tabs[0].Post(m)
	}
	time.Sleep(20 * time.Millisecond)
	tok, err := rs[1].Token(context.Background())
	require.NoError(t, err)
	assert.NotEqual(t, other, tok)
	assert.Equal(t, int32(1), calls.Load(), "the foreign token was not used: this tab renewed")
}

func TestWithoutTabsOrScopeEachRenewerRenewsAlone(t *testing.T) {
	clock := newClock(t0)
	var calls atomic.Int32
	renew := func(context.Context) (string, error) { calls.Add(1); return tokenExp(t, t0.Add(time.Hour)), nil }
	h := newHub()
	noScope := jwt(`{"exp":` + itoa(t0.Add(time.Minute).Unix()) + `}`)
	a := New(Options{Token: tokenExp(t, t0.Add(time.Minute)), Renew: renew, Now: clock.Now}) // no Tabs (no Web Locks, or opted out)
	b := New(Options{Token: noScope, Renew: renew, Now: clock.Now, Tabs: h.tab()})           // no scope to share
	clock.Set(t0.Add(2 * time.Minute))
	for _, r := range []*Renewer{a, b} {
		_, err := r.Token(context.Background())
		require.NoError(t, err)
	}
	assert.Equal(t, int32(2), calls.Load())
	_, ok := Scope(noScope)
	assert.False(t, ok)
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }
