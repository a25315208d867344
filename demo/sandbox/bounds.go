package sandbox

import (
	"cmp"
	"time"
)

// Limits bound every store of the sandbox, so that a flood of requests
// (anonymous connection bodies, token requests, abandoned sign-ins) costs
// a fixed amount of memory: past a limit the oldest entry is dropped, and
// every entry is forgotten once it expires. Zero fields take the defaults.
type Limits struct {
	// Connections kept for Sandbox.Connections (default 500), each for
	// ConnectionTTL (default 1 hour).
	Connections   int
	ConnectionTTL time.Duration
	// AccessTokens live (default 10,000); each lives Config.TokenTTL.
	AccessTokens int
	// RefreshTokens live (default 10,000); each lives OAuth.RefreshTTL.
	RefreshTokens int
	// Codes remembered (default 10,000): live ones, and redeemed ones
	// kept an hour to detect replay.
	Codes int
	// PendingSignIns are consent pages waiting for a password or a
	// one-time password (default 10,000), each for 10 minutes.
	PendingSignIns int
	// PaymentsPerInvoice kept in an invoice's history (default 100).
	PaymentsPerInvoice int
}

func (l Limits) withDefaults() Limits {
	l.Connections = cmp.Or(max(l.Connections, 0), 500)
	l.ConnectionTTL = cmp.Or(max(l.ConnectionTTL, 0), time.Hour)
	l.AccessTokens = cmp.Or(max(l.AccessTokens, 0), 10000)
	l.RefreshTokens = cmp.Or(max(l.RefreshTokens, 0), 10000)
	l.Codes = cmp.Or(max(l.Codes, 0), 10000)
	l.PendingSignIns = cmp.Or(max(l.PendingSignIns, 0), 10000)
	l.PaymentsPerInvoice = cmp.Or(max(l.PaymentsPerInvoice, 0), 100)
	return l
}

// expiryQueue remembers the keys of a map in the order they were added,
// with when each expires, so that the map can be trimmed from its oldest
// end: each key is looked at once when it leaves, never on every request.
// Entries of one map share a lifetime, so the oldest also expires first.
// The map itself stays a plain map, read and deleted from as before; a
// key deleted early is skipped when its turn comes.
type expiryQueue[K comparable] struct {
	items []queued[K]
	head  int
}

type queued[K comparable] struct {
	key     K
	expires time.Time
}

func (q *expiryQueue[K]) push(k K, expires time.Time) {
	q.items = append(q.items, queued[K]{k, expires})
}

func (q *expiryQueue[K]) len() int { return len(q.items) - q.head }

// evict deletes from m, oldest first, the keys that have expired at now
// and the oldest ones past limit. Keys are random and never reused, so a
// queued key still in m is the entry that was queued.
func evict[K comparable, V any](q *expiryQueue[K], m map[K]V, limit int, now time.Time) {
	for q.len() > 0 {
		front := q.items[q.head]
		_, present := m[front.key]
		if present && len(m) <= limit && now.Before(front.expires) {
			break
		}
		delete(m, front.key)
		q.items[q.head] = queued[K]{} // let the key's memory go
		q.head++
	}
	compact(q, m)
}

// compact drops the consumed head, and the keys deleted early once they
// are most of the queue: amortised O(1) per key, and the queue stays
// within a small multiple of the map.
func compact[K comparable, V any](q *expiryQueue[K], m map[K]V) {
	if q.len() > 2*len(m)+64 {
		kept := q.items[:0]
		for _, it := range q.items[q.head:] {
			if _, ok := m[it.key]; ok {
				kept = append(kept, it)
			}
		}
		clear(q.items[len(kept):])
		q.items, q.head = kept, 0
	}
	if q.head > 0 && q.head >= len(q.items)/2 {
		q.items = append([]queued[K](nil), q.items[q.head:]...)
		q.head = 0
	}
}
