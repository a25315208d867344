package api

import (
	"context"
	"sync"

	"github.com/sealbridge/sealbridge/wasm/client"
	"github.com/sealbridge/sealbridge/wasm/sberr"
	"github.com/sealbridge/sealbridge/wasm/seal"
)

// keySource is where a fetched key came from, so that it can be fetched
// again when the provider rotates it.
type keySource struct {
	url string
	pin string
}

// sources remembers the URL of every key fetchKey returned, by thumbprint.
type sources struct {
	mu sync.Mutex
	m  map[string]keySource
}

func (s *sources) put(thumbprint string, src keySource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil || len(s.m) >= seal.CacheSize { // bounded like the key cache
		s.m = map[string]keySource{}
	}
	s.m[thumbprint] = src
}

func (s *sources) get(thumbprint string) (keySource, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	src, ok := s.m[thumbprint]
	return src, ok
}

// keyring is one client's key: the one createClient got and, after the
// provider refused it, the one its fetchKey URL serves now. It implements
// client.Keyring.
type keyring struct {
	shim *Shim
	src  *keySource // nil: the key was imported, so it cannot be refetched

	mu     sync.Mutex
	cur    *seal.Key
	flight *refetch // the refetch in progress, or nil
}

// refetch is one fetch of the key's URL shared by every call that saw the
// key refused.
type refetch struct {
	done chan struct{}
	err  error // set before done is closed
}

var _ client.Keyring = (*keyring)(nil)

func (s *Shim) keyring(k *seal.Key) *keyring {
	r := &keyring{shim: s, cur: k}
	if src, ok := s.sources.get(k.Thumbprint()); ok {
		r.src = &src
	}
	return r
}

func (r *keyring) Seal(body []byte, pointers []string) ([]byte, string, error) {
	r.mu.Lock()
	k := r.cur
	r.mu.Unlock()
	out, err := k.SealFields(body, pointers)
	return out, k.Thumbprint(), err
}

func (r *keyring) Refresh(ctx context.Context, keyID string) error {
	r.mu.Lock()
	if r.cur.Thumbprint() != keyID {
		r.mu.Unlock()
		return nil // another call has already replaced it
	}
	if r.src == nil {
		r.mu.Unlock()
		return sberr.New(sberr.KeyUnknown, "the provider no longer knows key %q, and it was imported, not fetched: get it with fetchKey so that Sealbridge can fetch it again when it rotates", keyID)
	}
	f := r.flight
	if f == nil {
		f = &refetch{done: make(chan struct{})}
		r.flight = f
		// The fetch outlives the call that started it: others wait for it.
		go r.fetch(context.WithoutCancel(ctx), f, keyID)
	}
	r.mu.Unlock()
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return sberr.Wrap(ctx.Err(), sberr.Timeout, "the call ended while the rotated key was being fetched again")
	}
}

// fetch gets the key again from its URL, with its pin but without a kid
// choice: the kid the page asked for is the one the provider dropped.
func (r *keyring) fetch(ctx context.Context, f *refetch, refused string) {
	h, err := r.shim.FetchKey(ctx, r.src.url, FetchOptions{Pin: r.src.pin})
	var k *seal.Key
	if err == nil {
		k, err = r.shim.key(h)
	}
	if err == nil && k.Thumbprint() == refused {
		err = sberr.New(sberr.KeyUnknown, "the provider no longer knows key %q but %s still serves it; the provider must publish its new key", k.Kid(), r.src.url)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err == nil {
		r.cur = k
	}
	f.err = err
	r.flight = nil
	close(f.done)
}
