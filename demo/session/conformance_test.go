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

	"github.com/sealbridge/sealbridge/internal/redistest"
)

// storeKind builds two Stores over one shared backend (two dev-server
// instances), and dumps everything the backend holds.
type storeKind struct {
	name string
	open func(t *testing.T, opt Options) (a, b *Sealed, dump func() []byte)
}

// kinds are the Store kinds under test. The Redis kind starts one
// redis-server for the whole suite (srv) and gives each case its own key
// prefix.
func kinds(srv func() *redistest.Server) []storeKind {
	return []storeKind{
		{"memory", func(t *testing.T, opt Options) (*Sealed, *Sealed, func() []byte) {
			b := NewMemoryBackend(0)
			return NewStore(b, opt), NewStore(b, opt), func() []byte { return memoryDump(b) }
		}},
		{"redis", func(t *testing.T, opt Options) (*Sealed, *Sealed, func() []byte) {
			opt.Prefix = "t" + randomText()[:8] + ":"
			a, b := redisStore(t, srv().URL(), opt), redisStore(t, srv().URL(), opt)
			return a, b, func() []byte { return redisDump(t, a.Backend().(*RedisBackend)) }
		}},
	}
}

// TestConformance runs one suite against every Store kind: whatever the
// dev server relies on holds for memory and Redis alike.
func TestConformance(t *testing.T) {
	cases := map[string]func(t *testing.T, k storeKind){
		"round trip":                   conformRoundTrip,
		"unknown, forged or malformed": conformForged,
		"update is atomic":             conformUpdateAtomic,
		"update error saves nothing":   conformUpdateError,
		"delete":                       conformDelete,
		"idle timeout slides":          conformIdle,
		"absolute lifetime":            conformLifetime,
		"dump reveals nothing":         conformDump,
		"lock excludes":                conformLockExcludes,
		"lock waits, expires, is own":  conformLockExpiry,
		"hit counts in a window":       conformHit,
	}
	var redis *redistest.Server
	var once sync.Once
	srv := func() *redistest.Server {
		once.Do(func() { redis = redistest.Start(t) })
		return redis
	}
	for _, k := range kinds(srv) {
		t.Run(k.name, func(t *testing.T) {
			for name, run := range cases {
				t.Run(name, func(t *testing.T) { run(t, k) })
			}
		})
	}
}

const canaryToken = "sbx_at_CANARY-4d1e"

func signedInSession() *Session {
	return &Session{
		ID: NewID(), Created: time.Now().Truncate(time.Millisecond).UTC(), User: "demo-user",
		Provider: &ProviderTokens{AccessToken: canaryToken, RefreshToken: "sbx_rt_CANARY-77aa", UserID: "u1", Grant: "password"},
		Pending:  &PendingAuthorization{State: "STATE-CANARY-1", Verifier: "VERIFIER-CANARY-2", ReturnTo: "/x"},
	}
}

func conformRoundTrip(t *testing.T, k storeKind) {
	a, b, _ := k.open(t, Options{})
	ctx := context.Background()
	s := signedInSession()
	require.NoError(t, a.Create(ctx, s))
	got, err := b.Get(ctx, s.ID)
	require.NoError(t, err)
	assert.Equal(t, s, got, "another instance reads what was stored")
	got.Provider.AccessToken = "changed"
	again, err := a.Get(ctx, s.ID)
	require.NoError(t, err)
	assert.Equal(t, canaryToken, again.Provider.AccessToken, "Get returns a copy")
	assert.Error(t, a.Create(ctx, s), "an id cannot be created twice")
	require.NoError(t, a.Ping(ctx))
}

func conformForged(t *testing.T, k storeKind) {
	a, _, _ := k.open(t, Options{})
	ctx := context.Background()
	s := signedInSession()
	require.NoError(t, a.Create(ctx, s))
	keyHalf := s.ID[:43]
	for _, id := range []string{NewID(), keyHalf + "." + NewID()[44:], keyHalf, "", "a.b", s.ID + "x", keyHalf + "." + keyHalf} {
		_, err := a.Get(ctx, id)
		assert.ErrorIs(t, err, ErrNoSession, "id %q", id)
		assert.ErrorIs(t, a.Update(ctx, id, func(*Session) error { return nil }), ErrNoSession)
	}
	_, err := a.Get(ctx, s.ID)
	require.NoError(t, err, "failed forgeries leave the real session alone")
}

func conformUpdateAtomic(t *testing.T, k storeKind) {
	a, b, _ := k.open(t, Options{})
	ctx := context.Background()
	s := &Session{ID: NewID(), Provider: &ProviderTokens{DisplayName: "0"}}
	require.NoError(t, a.Create(ctx, s))
	var wg sync.WaitGroup
	for i := range 50 {
		store := []*Sealed{a, b}[i%2]
		wg.Go(func() {
			assert.NoError(t, store.Update(ctx, s.ID, func(s *Session) error {
				n, _ := strconv.Atoi(s.Provider.DisplayName)
				p := *s.Provider
				p.DisplayName = strconv.Itoa(n + 1)
				s.Provider = &p
				return nil
			}))
		})
	}
	wg.Wait()
	got, err := a.Get(ctx, s.ID)
	require.NoError(t, err)
	assert.Equal(t, "50", got.Provider.DisplayName, "no increment lost across two instances")
}

func conformUpdateError(t *testing.T, k storeKind) {
	a, _, _ := k.open(t, Options{})
	ctx := context.Background()
	s := signedInSession()
	require.NoError(t, a.Create(ctx, s))
	boom := assert.AnError
	err := a.Update(ctx, s.ID, func(s *Session) error { s.User = "mallory"; return boom })
	require.ErrorIs(t, err, boom)
	got, err := a.Get(ctx, s.ID)
	require.NoError(t, err)
	assert.Equal(t, "demo-user", got.User)
}

func conformDelete(t *testing.T, k storeKind) {
	a, b, _ := k.open(t, Options{})
	ctx := context.Background()
	s := signedInSession()
	require.NoError(t, a.Create(ctx, s))
	require.NoError(t, b.Delete(ctx, s.ID))
	_, err := a.Get(ctx, s.ID)
	assert.ErrorIs(t, err, ErrNoSession)
	assert.NoError(t, a.Delete(ctx, s.ID), "deleting twice is fine")
	assert.NoError(t, a.Delete(ctx, "not an id"))
}

func conformIdle(t *testing.T, k storeKind) {
	a, _, _ := k.open(t, Options{IdleTimeout: 400 * time.Millisecond, Lifetime: time.Minute})
	ctx := context.Background()
	s := signedInSession()
	require.NoError(t, a.Create(ctx, s))
	for range 8 { // 800 ms in all: alive because used
		time.Sleep(100 * time.Millisecond)
		_, err := a.Get(ctx, s.ID)
		require.NoError(t, err)
	}
	time.Sleep(600 * time.Millisecond)
	_, err := a.Get(ctx, s.ID)
	assert.ErrorIs(t, err, ErrNoSession, "unused, it ends after the idle timeout")
}

func conformLifetime(t *testing.T, k storeKind) {
	a, _, _ := k.open(t, Options{IdleTimeout: time.Minute, Lifetime: 500 * time.Millisecond})
	ctx := context.Background()
	// The lifetime runs from the session's creation time, which is set
	// before Create (under load, Create itself can take a while).
	start := time.Now()
	s := signedInSession()
	require.NoError(t, a.Create(ctx, s))
	for {
		_, err := a.Get(ctx, s.ID)
		if err != nil {
			require.ErrorIs(t, err, ErrNoSession)
			break
		}
		require.Less(t, time.Since(start), 3*time.Second, "used all the time, it still ends at its lifetime")
		time.Sleep(50 * time.Millisecond)
	}
	assert.GreaterOrEqual(t, time.Since(start), 450*time.Millisecond)
}

func conformDump(t *testing.T, k storeKind) {
	a, _, dump := k.open(t, Options{})
	ctx := context.Background()
	s := signedInSession()
	require.NoError(t, a.Create(ctx, s))
	release, err := a.Lock(ctx, "refresh:"+s.ID, time.Minute)
	require.NoError(t, err)
	defer release()
	_, _, err = a.Hit(ctx, "otp-user:alice@example.test", time.Minute)
	require.NoError(t, err)
	d := string(dump())
	require.NotEmpty(t, d)
	for _, secret := range []string{canaryToken, "sbx_rt_", "CANARY", "STATE-CANARY", "VERIFIER-CANARY", s.ID[44:], "alice", "demo-user"} {
		assert.NotContains(t, d, secret)
	}
}

func conformLockExcludes(t *testing.T, k storeKind) {
	a, b, _ := k.open(t, Options{})
	var inside, most atomic.Int64
	var wg sync.WaitGroup
	for i := range 20 {
		store := []*Sealed{a, b}[i%2]
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			release, err := store.Lock(ctx, "critical", 5*time.Second)
			if !assert.NoError(t, err) {
				return
			}
			n := inside.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(2 * time.Millisecond)
			inside.Add(-1)
			release()
		})
	}
	wg.Wait()
	assert.Equal(t, int64(1), most.Load(), "never two holders at once, across instances")
}

func conformLockExpiry(t *testing.T, k storeKind) {
	a, b, _ := k.open(t, Options{})
	ctx := context.Background()
	releaseA, err := a.Lock(ctx, "l", 300*time.Millisecond)
	require.NoError(t, err)
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	_, err = b.Lock(short, "l", time.Second)
	cancel()
	assert.ErrorIs(t, err, ErrLockTimeout, "a held lock makes a bounded wait time out")
	wait, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	releaseB, err := b.Lock(wait, "l", 2*time.Second)
	require.NoError(t, err, "a holder that died lets go after hold")
	releaseA() // stale: must not free B's lock
	short2, cancel2 := context.WithTimeout(ctx, 100*time.Millisecond)
	_, err = a.Lock(short2, "l", time.Second)
	cancel2()
	assert.ErrorIs(t, err, ErrLockTimeout, "a stale release does not free the next holder's lock")
	releaseB()
	releaseC, err := a.Lock(ctx, "l", time.Second)
	require.NoError(t, err)
	releaseC()
}

func conformHit(t *testing.T, k storeKind) {
	a, b, _ := k.open(t, Options{})
	ctx := context.Background()
	for i := 1; i <= 4; i++ {
		n, left, err := []*Sealed{a, b}[i%2].Hit(ctx, "pw-user:bob", 400*time.Millisecond)
		require.NoError(t, err)
		assert.Equal(t, int64(i), n, "one count across instances")
		assert.True(t, left > 0 && left <= 400*time.Millisecond, "left %v", left)
	}
	n, _, err := a.Hit(ctx, "pw-user:carol", time.Second)
	require.NoError(t, err)
	assert.Equal(t, int64(1), n, "names count apart")
	assert.Eventually(t, func() bool {
		n, _, err := a.Hit(ctx, "pw-user:bob", 400*time.Millisecond)
		return err == nil && n == 1
	}, 3*time.Second, 50*time.Millisecond, "a new window starts after the old one ends")
}
