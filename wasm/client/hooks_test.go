package client

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/wasm/sberr"
	"github.com/sealbridge/sealbridge/wasm/session"
)

type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) hook(kind string) func(Event) {
	return func(e Event) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.events = append(r.events, fmt.Sprintf("%s %s %s #%d %d %q", kind, e.Method, e.Path, e.Attempt, e.Status, e.Code))
	}
}

func TestHooksSeeEachAttemptRedacted(t *testing.T) {
	now := time.Now()
	old, fresh := jwt(now.Add(time.Hour), "old-token-canary"), jwt(now.Add(time.Hour), "fresh-token-canary")
	tokens := session.New(session.Options{Token: old, Renew: func(context.Context) (string, error) { return fresh, nil }})
	ft := &fakeTransport{fn: func(_ context.Context, r *Request) (*Response, error) {
		if r.Headers["authorization"] == "Bearer "+fresh {
			return envelope(t, 200, `{"answer":"body-canary"}`, nil), nil
		}
		return envelope(t, 401, `{"code":"invalid_token"}`, nil), nil
	}}
	rec := &recorder{}
	c, err := New(Config{Transport: ft, Proxy: &ProxyEndpoint{Path: "/p"}, Tokens: tokens,
		Hooks: Hooks{OnRequest: rec.hook("req"), OnResponse: rec.hook("res")},
		Keys: sealWith(func(b []byte) ([]byte, error) {
			return []byte(strings.ReplaceAll(string(b), "plain-canary", "sealed-canary")), nil
		})})
	require.NoError(t, err)
	_, err = c.Do(context.Background(), Call{Method: "post", Path: "/v2/things", Query: map[string]string{"q": "query-canary"},
		Body: json.RawMessage(`{"iban":"plain-canary"}`), Seal: []string{"/iban"}})
	require.NoError(t, err)
	assert.Equal(t, []string{
		`req POST /v2/things #1 0 ""`,
		`res POST /v2/things #1 401 "http_error"`,
		`req POST /v2/things #2 0 ""`,
		`res POST /v2/things #2 200 ""`,
	}, rec.events)
	all := strings.Join(rec.events, "\n")
	for _, canary := range []string{"token-canary", "plain-canary", "sealed-canary", "body-canary", "query-canary", "Bearer"} {
		assert.NotContains(t, all, canary)
	}
}

func TestHookThatPanicsDoesNotBreakTheCall(t *testing.T) {
	ft := &fakeTransport{fn: func(context.Context, *Request) (*Response, error) { return envelope(t, 200, `{}`, nil), nil }}
	c, err := New(Config{Transport: ft, Proxy: &ProxyEndpoint{Path: "/p"},
		Hooks: Hooks{OnRequest: func(Event) { panic("hook bug") }, OnResponse: func(Event) { panic("hook bug") }}})
	require.NoError(t, err)
	res, err := c.Do(context.Background(), Call{Path: "/v2/organization"})
	require.NoError(t, err)
	assert.Equal(t, 200, res.Status)
}

func TestHookSeesTransportFailureCode(t *testing.T) {
	ft := &fakeTransport{fn: func(context.Context, *Request) (*Response, error) {
		return nil, sberr.New(sberr.NetworkError, "offline")
	}}
	var got Event
	c, err := New(Config{Transport: ft, Proxy: &ProxyEndpoint{Path: "/p"}, Hooks: Hooks{OnResponse: func(e Event) { got = e }}})
	require.NoError(t, err)
	_, err = c.Do(context.Background(), Call{Path: "/v2/organization"})
	require.Error(t, err)
	assert.Equal(t, sberr.NetworkError, got.Code)
	assert.Zero(t, got.Status)
	assert.Equal(t, 1, got.Attempt)
}
