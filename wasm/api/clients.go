package api

import (
	"context"
	"sync"
	"time"

	"github.com/sealbridge/sealbridge/wasm/client"
	"github.com/sealbridge/sealbridge/wasm/sberr"
	"github.com/sealbridge/sealbridge/wasm/session"
)

// ClientOptions are createClient's options, already read from JS.
type ClientOptions struct {
	Proxy        *client.ProxyEndpoint
	ProxyFunc    client.ProxyFunc // proxyRequest; instead of Proxy
	Hooks        client.Hooks     // onRequest, onResponse
	BaseURL      string
	AccessToken  string
	Renew        func(ctx context.Context) (string, error) // onAccessTokenExpired; nil: none
	Timeout      time.Duration
	Key          *KeyHandle // for request({seal}); nil: sealing refused
	Skew         time.Duration
	RenewTimeout time.Duration

	// Tabs opens the cross-tab lock and channel named for a token scope;
	// nil (no Web Locks, or crossTabRenewal: false) or a nil result: this
	// tab renews on its own.
	Tabs        func(scope string) session.Tabs
	LockTimeout time.Duration
}

// clients is the registry of live clients. JavaScript holds an id, not a
// Go object, so no js.Func has to outlive a call; index.js closes a
// client when its wrapper is garbage-collected.
type clients struct {
	mu   sync.Mutex
	next int
	m    map[int]liveClient
}

type liveClient struct {
	c      *client.Client
	tokens *session.Renewer // nil without a token or callback
}

// CreateClient builds a client and returns its id.
func (s *Shim) CreateClient(o ClientOptions) (int, error) {
	cfg := client.Config{Transport: s.transport, Proxy: o.Proxy, ProxyFunc: o.ProxyFunc, BaseURL: o.BaseURL, Timeout: o.Timeout, Hooks: o.Hooks}
	if o.Key != nil {
		k, err := s.key(*o.Key)
		if err != nil {
			return 0, err
		}
		cfg.Keys = s.keyring(k)
	}
	if o.AccessToken != "" || o.Renew != nil {
		cfg.Tokens = session.New(tokenOptions(o))
	}
	c, err := client.New(cfg)
	if err != nil {
		cfg.Tokens.Close()
		return 0, err
	}
	s.clients.mu.Lock()
	defer s.clients.mu.Unlock()
	if s.clients.m == nil {
		s.clients.m = map[int]liveClient{}
	}
	s.clients.next++
	s.clients.m[s.clients.next] = liveClient{c: c, tokens: cfg.Tokens}
	return s.clients.next, nil
}

func tokenOptions(o ClientOptions) session.Options {
	so := session.Options{Token: o.AccessToken, Renew: o.Renew, Skew: o.Skew, RenewTimeout: o.RenewTimeout, LockTimeout: o.LockTimeout}
	if scope, ok := session.Scope(o.AccessToken); ok && o.Tabs != nil && o.Renew != nil {
		so.Tabs = o.Tabs(scope)
	}
	return so
}

func (s *Shim) client(id int) (*client.Client, error) {
	s.clients.mu.Lock()
	defer s.clients.mu.Unlock()
	lc, ok := s.clients.m[id]
	if !ok {
		return nil, sberr.New(sberr.InvalidArgument, "this client was closed; create a new one with createClient")
	}
	return lc.c, nil
}

// Request runs one call on client id.
func (s *Shim) Request(ctx context.Context, id int, call client.Call) (*client.Result, error) {
	c, err := s.client(id)
	if err != nil {
		return nil, err
	}
	return c.Do(ctx, call)
}

// Claims returns the claims of client id's current token.
func (s *Shim) Claims(id int) (session.Claims, bool, error) {
	c, err := s.client(id)
	if err != nil {
		return session.Claims{}, false, err
	}
	cl, ok := c.Claims()
	return cl, ok, nil
}

// CloseClient forgets client id and stops its sharing with other tabs.
func (s *Shim) CloseClient(id int) {
	s.clients.mu.Lock()
	lc, ok := s.clients.m[id]
	delete(s.clients.m, id)
	s.clients.mu.Unlock()
	if ok {
		lc.tokens.Close()
	}
}
