package session

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The ticket design of oauth2-proxy's Redis session store: the cookie
// carries "<key>.<secret>", both 256 random bits. The backend keeps the
// session under the key half only, sealed with AES-256-GCM under a key
// derived (HKDF-SHA256) from the secret half, which the server never
// stores. Whoever dumps the backend gets ciphertext and no way to open it;
// whoever guesses a key half without its secret gets ErrNoSession.

const (
	sealVersion = 1
	sealInfo    = "sealbridge session v1"
	headerLen   = 1 + 8 // version, absolute deadline in Unix milliseconds
)

// Options tune a Sealed store.
type Options struct {
	// IdleTimeout ends a session that is not used for this long; 0 means
	// 2 hours. Every Get slides it, within the absolute Lifetime.
	IdleTimeout time.Duration
	// Lifetime ends every session this long after Create, however much
	// it is used; 0 means 8 hours.
	Lifetime time.Duration
	// Prefix starts every backend key; "" means "sealbridge:".
	Prefix string
	// Now is the clock seam; nil means time.Now.
	Now func() time.Time
	// MaxSessions bounds the memory store Open makes (0 means 10000; past
	// it, the least recently used anonymous sessions go first). Redis is
	// bounded by its own maxmemory policy instead.
	MaxSessions int
}

// Sealed is the Store: sessions sealed as above, over any Backend.
type Sealed struct {
	b   Backend
	opt Options
}

// NewStore returns a Store that keeps sealed sessions in b.
func NewStore(b Backend, opt Options) *Sealed {
	if opt.IdleTimeout <= 0 {
		opt.IdleTimeout = 2 * time.Hour
	}
	if opt.Lifetime <= 0 {
		opt.Lifetime = 8 * time.Hour
	}
	if opt.Prefix == "" {
		opt.Prefix = "sealbridge:"
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Sealed{b: b, opt: opt}
}

// NewMemoryStore is a Store in process memory that keeps at most max
// sessions (max <= 0 means 10000).
func NewMemoryStore(max int) *Sealed { return NewStore(NewMemoryBackend(max), Options{}) }

// Backend returns the store's backend (tests dump it).
func (s *Sealed) Backend() Backend { return s.b }

// Close closes the backend.
func (s *Sealed) Close() error { return s.b.Close() }

// NewID returns a fresh session id: "<key>.<secret>", 256 random bits each.
func NewID() string { return randomText() + "." + randomText() }

func randomText() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go >= 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ticket is a parsed session id.
type ticket struct {
	key    string // the backend key's last part, public
	secret []byte // never stored
}

func parseID(id string) (ticket, bool) {
	k, sec, ok := strings.Cut(id, ".")
	if !ok || len(k) != 43 || len(sec) != 43 {
		return ticket{}, false
	}
	if _, err := base64.RawURLEncoding.DecodeString(k); err != nil {
		return ticket{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(sec)
	if err != nil {
		return ticket{}, false
	}
	return ticket{key: k, secret: raw}, true
}

func (s *Sealed) sessionKey(t ticket) string { return s.opt.Prefix + "session:" + t.key }

// hashedKey names locks and counters by a hash, so that neither a user
// name nor a client address nor a session secret shows in the backend.
func (s *Sealed) hashedKey(kind, name string) string {
	sum := sha256.Sum256([]byte(name))
	return s.opt.Prefix + kind + ":" + hex.EncodeToString(sum[:16])
}

func (t ticket) aead() (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, t.secret, nil, sealInfo, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// seal returns version | deadline | nonce | AES-GCM(session JSON); the
// header and the key half are authenticated, so a blob moved to another
// key, or given a later deadline, fails to open.
func (t ticket) seal(sess *Session, deadline time.Time) ([]byte, error) {
	plain, err := json.Marshal(sess)
	if err != nil {
		return nil, err
	}
	g, err := t.aead()
	if err != nil {
		return nil, err
	}
	out := make([]byte, headerLen, headerLen+g.NonceSize()+len(plain)+g.Overhead())
	out[0] = sealVersion
	binary.BigEndian.PutUint64(out[1:headerLen], uint64(deadline.UnixMilli()))
	nonce := make([]byte, g.NonceSize())
	_, _ = rand.Read(nonce)
	aad := append(append([]byte{}, out[:headerLen]...), t.key...)
	out = append(out, nonce...)
	return g.Seal(out, nonce, plain, aad), nil
}

// open reverses seal; any failure is ErrNoSession (a wrong secret looks
// like no session at all).
func (t ticket) open(blob []byte) (*Session, time.Time, error) {
	g, err := t.aead()
	if err != nil {
		return nil, time.Time{}, err
	}
	if len(blob) < headerLen+g.NonceSize()+g.Overhead() || blob[0] != sealVersion {
		return nil, time.Time{}, ErrNoSession
	}
	aad := append(append([]byte{}, blob[:headerLen]...), t.key...)
	nonce := blob[headerLen : headerLen+g.NonceSize()]
	plain, err := g.Open(nil, nonce, blob[headerLen+g.NonceSize():], aad)
	if err != nil {
		return nil, time.Time{}, ErrNoSession
	}
	var sess Session
	if err := json.Unmarshal(plain, &sess); err != nil {
		return nil, time.Time{}, ErrNoSession
	}
	deadline := time.UnixMilli(int64(binary.BigEndian.Uint64(blob[1:headerLen])))
	return &sess, deadline, nil
}

// ttl is how long a session with this deadline may live from now: the idle
// timeout, cut short by the absolute deadline.
func (s *Sealed) ttl(deadline time.Time) time.Duration {
	return min(s.opt.IdleTimeout, deadline.Sub(s.opt.Now()))
}

func unavailable(err error) error {
	if errors.Is(err, ErrNoSession) || errors.Is(err, ErrUnavailable) || errors.Is(err, ErrStoreFull) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// signedIn: the browser signed in to the app (User is set only by
// Sessions.SignIn) or connected a provider account. A full memory backend
// never evicts such a session; it refuses the newcomer instead.
func signedIn(sess *Session) bool { return sess.User != "" || sess.Provider != nil }

// Create implements Store.
func (s *Sealed) Create(ctx context.Context, sess *Session) error {
	t, ok := parseID(sess.ID)
	if !ok {
		return errors.New("session: Create needs an id from NewID")
	}
	deadline := s.opt.Now().Add(s.opt.Lifetime)
	blob, err := t.seal(sess, deadline)
	if err != nil {
		return err
	}
	added, err := s.b.Add(ctx, s.sessionKey(t), Item{Value: blob, TTL: s.ttl(deadline), SignedIn: signedIn(sess)})
	if err != nil {
		return unavailable(err)
	}
	if !added {
		return errors.New("session: id already in use")
	}
	return nil
}
