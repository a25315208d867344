package session

import (
	"context"
	"encoding/hex"
	"hash/fnv"
	"strings"
	"time"
)

// DefaultLockTimeout bounds the wait for another tab's renewal: a tab that
// holds the lock but is frozen or hung does not block the others longer.
const DefaultLockTimeout = 5 * time.Second

// askGrace is how long a tab that waited for the lock gives the others to
// answer "who has a fresh token?" before it renews itself. A token the
// previous holder posted may still be on its way when the lock is granted
// (the two travel separately); a holder whose tab was closed never answers.
const askGrace = 150 * time.Millisecond

// Tabs is what sharing one renewal among the tabs of an origin needs from
// the browser: a lock that every client of one token scope names alike
// (Web Locks) and a channel between them (BroadcastChannel). jsbridge
// implements it; tests use an in-memory hub. The token travels only over
// the channel, in memory: never through any storage.
type Tabs interface {
	// Lock waits for the scope's lock until ctx ends. waited reports that
	// someone else held it when asked; release frees it.
	Lock(ctx context.Context) (release func(), waited bool, err error)
	// Post sends m to every other client of the scope, in this tab or another.
	Post(m Message)
	// Listen hands each message from the others to fn, one at a time and
	// never from inside a JavaScript callback, until Close.
	Listen(fn func(Message))
	Close()
}

// MessageKind says what a Message is for.
type MessageKind string

// The messages between tabs.
const (
	TokenMessage MessageKind = "token" // Token is a fresh token for the scope
	AskMessage   MessageKind = "ask"   // the sender wants any fresh token the others hold
)

// Message is what tabs tell each other.
type Message struct {
	Kind  MessageKind
	Token string
}

// Scope names the lock and the channel for a token: tabs whose tokens
// carry the same partner, client, customer and invoice ids share their
// renewals. It is a hash, so that the ids do not show in lock names. ok is
// false for a token without readable claims or without any id.
func Scope(token string) (name string, ok bool) {
	c, err := ParseClaims(strings.TrimSpace(token))
	if err != nil || c.PartnerID+c.ClientID+c.CustomerID+c.InvoiceID == "" {
		return "", false
	}
	// FNV-1a, not SHA-256: crypto/sha256 would link crypto/cipher into the
	// module, which WebCrypto keeps out; a lock name needs no collision
	// resistance against an attacker (the ids are not secret from the page).
	h := fnv.New128a()
	h.Write([]byte(strings.Join([]string{c.PartnerID, c.ClientID, c.CustomerID, c.InvoiceID}, "\x00")))
	return "sealbridge-renew-" + hex.EncodeToString(h.Sum(nil)), true
}

// sameScope reports whether tok belongs to the scope of this renewer.
func (s *sharing) sameScope(tok string) bool {
	name, ok := Scope(tok)
	return ok && name == s.scope
}

// usable reports whether tok, heard from another tab, can be used here
// now: readable, of this scope, and not due for renewal by this page's
// clock.
func (r *Renewer) usable(tok string) bool {
	c, err := ParseClaims(tok)
	return err == nil && r.share != nil && r.share.sameScope(tok) && r.now().Before(c.ExpiresAt.Add(-r.skew))
}

// adopt takes a token another tab renewed when it expires later than the
// current one, so that this tab does not renew again. A renewal in flight
// picks it up by itself.
func (r *Renewer) adopt(tok string) {
	c, err := ParseClaims(tok)
	if err != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.flight != nil || (r.cur.parseErr == nil && r.cur.token != "" && !c.ExpiresAt.After(r.cur.claims.ExpiresAt)) {
		return
	}
	r.cur = current{token: tok, claims: c, obtainedAt: r.now(), fromCallback: true}
}

// offer returns a token this tab can vouch for, to answer another tab's
// ask: the current one or the latest shared one, if usable.
func (r *Renewer) offer() string {
	r.mu.Lock()
	cur := r.cur.token
	r.mu.Unlock()
	for _, tok := range []string{cur, r.share.latestToken()} {
		if tok != "" && r.usable(tok) {
			return tok
		}
	}
	return ""
}
