package session

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A full memory store drops anonymous sessions before signed-in ones: a
// flood of 20,000 anonymous visitors signs nobody out.
func TestMemoryFloodKeepsSignedInSessions(t *testing.T) {
	store := NewStore(NewMemoryBackend(100), Options{})
	ctx := context.Background()
	var signedIn []string
	for range 50 {
		s := signedInSession()
		require.NoError(t, store.Create(ctx, s))
		signedIn = append(signedIn, s.ID)
	}
	var lastAnon string
	for range 20_000 {
		s := &Session{ID: NewID(), Created: time.Now()}
		require.NoError(t, store.Create(ctx, s))
		lastAnon = s.ID
	}
	for _, id := range signedIn {
		_, err := store.Get(ctx, id)
		assert.NoError(t, err)
	}
	_, err := store.Get(ctx, lastAnon)
	assert.NoError(t, err, "the newest anonymous session has room too")
	assert.Len(t, store.Backend().(*MemoryBackend).Dump(), 100, "bounded")
}

// Signing in moves a session to the protected class; a store full of
// signed-in sessions refuses a newcomer rather than sign anyone out, and
// takes one again once a session ends.
func TestMemoryFullOfSignedInRefuses(t *testing.T) {
	store := NewStore(NewMemoryBackend(3), Options{})
	ctx := context.Background()
	anon := &Session{ID: NewID()}
	require.NoError(t, store.Create(ctx, anon))
	require.NoError(t, store.Update(ctx, anon.ID, func(s *Session) error {
		s.Provider = &ProviderTokens{AccessToken: "a"}
		return nil
	}))
	a, b := signedInSession(), signedInSession()
	require.NoError(t, store.Create(ctx, a))
	require.NoError(t, store.Create(ctx, b))
	assert.ErrorIs(t, store.Create(ctx, signedInSession()), ErrStoreFull)
	assert.ErrorIs(t, store.Create(ctx, &Session{ID: NewID()}), ErrStoreFull)
	for _, id := range []string{anon.ID, a.ID, b.ID} {
		_, err := store.Get(ctx, id)
		assert.NoError(t, err, "nobody was signed out")
	}
	require.NoError(t, store.Delete(ctx, a.ID))
	assert.NoError(t, store.Create(ctx, signedInSession()))
}

// A session signed in to the app but connected to no provider is as
// protected as one with provider tokens: a flood of sign-ins to the app
// fills the store and is then refused; it signs nobody out.
func TestMemoryAppSignInsAreNeverEvicted(t *testing.T) {
	store := NewStore(NewMemoryBackend(2), Options{})
	ctx := context.Background()
	first := &Session{ID: NewID(), User: "demo-user"}
	require.NoError(t, store.Create(ctx, first))
	require.NoError(t, store.Create(ctx, &Session{ID: NewID(), User: "demo-user"}))
	assert.ErrorIs(t, store.Create(ctx, &Session{ID: NewID(), User: "demo-user"}), ErrStoreFull)
	_, err := store.Get(ctx, first.ID)
	assert.NoError(t, err, "the first signed-in session survived the flood")
}

// Open's memory store holds what Options.MaxSessions says, and its
// default otherwise.
func TestOpenMemoryTakesMaxSessions(t *testing.T) {
	for _, c := range []struct{ max, want int }{{3, 3}, {0, 10000}} {
		store, err := Open("memory", Options{MaxSessions: c.max})
		require.NoError(t, err)
		assert.Equal(t, c.want, store.Backend().(*MemoryBackend).max, "MaxSessions %d", c.max)
	}
	store, err := Open("", Options{MaxSessions: 2})
	require.NoError(t, err)
	ctx := context.Background()
	for range 5 {
		require.NoError(t, store.Create(ctx, &Session{ID: NewID()}))
	}
	assert.Len(t, store.Backend().(*MemoryBackend).Dump(), 2, "anonymous sessions past the bound make room")
}
