package session

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// signInFrom signs in with the cookies of prev (nil: none) and returns the
// new session, the ended one and the cookie set.
func signInFrom(t *testing.T, m *Sessions, prev *http.Cookie) (s, ended *Session, c *http.Cookie) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/api/session", nil)
	if prev != nil {
		r.AddCookie(prev)
	}
	w := httptest.NewRecorder()
	s, ended, err := m.SignIn(w, r, "demo-user")
	require.NoError(t, err)
	cookies := w.Result().Cookies()
	require.Len(t, cookies, 1)
	return s, ended, cookies[0]
}

// Signing in always makes a new id (a planted or leaked cookie gets
// nothing), ends the session the browser had, and hands it back with its
// provider tokens so that they can be revoked.
func TestSignInAlwaysStartsAFreshSession(t *testing.T) {
	m := &Sessions{Store: NewMemoryStore(0)}
	first, ended, c1 := signInFrom(t, m, nil)
	assert.Nil(t, ended, "nothing to end on a first sign-in")
	assert.Equal(t, first.ID, c1.Value)
	require.NoError(t, m.Store.Update(context.Background(), first.ID, func(s *Session) error {
		s.Provider = &ProviderTokens{RefreshToken: "rt"}
		return nil
	}))

	second, ended, c2 := signInFrom(t, m, c1)
	assert.NotEqual(t, c1.Value, c2.Value, "a fresh id, against fixation")
	require.NotNil(t, ended)
	assert.Equal(t, first.ID, ended.ID)
	assert.Equal(t, "rt", ended.Provider.RefreshToken, "the ended session's tokens, to revoke")
	_, err := m.Store.Get(context.Background(), first.ID)
	assert.ErrorIs(t, err, ErrNoSession, "the old cookie stops working")
	got, err := m.Store.Get(context.Background(), second.ID)
	require.NoError(t, err)
	assert.Equal(t, "demo-user", got.User)
	assert.Nil(t, got.Provider, "no provider account carries over")
}
