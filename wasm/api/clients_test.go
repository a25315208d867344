package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/wasm/client"
	"github.com/sealbridge/sealbridge/wasm/descriptor"
	"github.com/sealbridge/sealbridge/wasm/sberr"
)

const proxyPath = "/api/embed-intermediary"

// providerTransport plays both the key endpoint (any URL starting with
// https://keys.test) and the intermediary (every other URL), which answers
// with a response envelope around {"ok":true}.
func providerTransport(t *testing.T) *fakeTransport {
	a, _, _ := testKeys(t)
	keyDoc := mustJSON(t, jwk(&a.PublicKey, "a"))
	env, err := descriptor.EncodeResponse(descriptor.Response{
		Headers: map[string]string{"content-type": "application/json"},
		Body:    json.RawMessage(`{"ok":true}`),
	})
	require.NoError(t, err)
	return &fakeTransport{fn: func(_ context.Context, r *client.Request) (*client.Response, error) {
		if strings.HasPrefix(r.URL, "https://keys.test") {
			return &client.Response{Status: 200, Headers: map[string]string{"content-type": "application/json"}, Body: keyDoc}, nil
		}
		return &client.Response{Status: 200, Headers: map[string]string{"content-type": "text/plain"}, Body: []byte(env)}, nil
	}}
}

// unsignedJWT builds a token whose claims the page can read; the shim
// never verifies it (servers do).
func unsignedJWT(t *testing.T, claims map[string]any) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
	p := base64.RawURLEncoding.EncodeToString(mustJSON(t, claims))
	return h + "." + p + ".c2ln"
}

// proxied returns the descriptor a proxied request carried, decoded by
// hand (standard base64 of JSON), not with the package that encoded it.
func proxied(t *testing.T, r client.Request) map[string]json.RawMessage {
	t.Helper()
	raw, err := base64.StdEncoding.Strict().DecodeString(string(r.Body))
	require.NoError(t, err, "the body is one standard base64 descriptor")
	var d map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &d))
	return d
}

func proxyOptions(token string, key *KeyHandle) ClientOptions {
	return ClientOptions{
		Proxy:       &client.ProxyEndpoint{Path: proxyPath, Method: "POST", Headers: map[string]string{"x-sealbridge-request": "1"}},
		AccessToken: token,
		Key:         key,
	}
}

func TestClientProxyRequestAndClaims(t *testing.T) {
	tr := providerTransport(t)
	s := New(tr, stdCrypto{})
	exp := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	tok := unsignedJWT(t, map[string]any{
		"partner_id": "p1", "client_id": "c1", "customer_id": 42, "invoice_id": "inv_9", "exp": exp.Unix(),
	})
	id, err := s.CreateClient(proxyOptions(tok, nil))
	require.NoError(t, err)

	res, err := s.Request(context.Background(), id, client.Call{Method: "get", Path: "/v2/organization", Query: map[string]string{"b": "2", "a": "1"}})
	require.NoError(t, err)
	assert.Equal(t, 200, res.Status)
	assert.JSONEq(t, `{"ok":true}`, string(res.Body))

	reqs := tr.requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, proxyPath, r.URL, "the call goes to the intermediary, never to the provider")
	assert.Equal(t, "Bearer "+tok, r.Headers["authorization"])
	assert.Equal(t, "1", r.Headers["x-sealbridge-request"], "the descriptor's headers are sent")
	assert.True(t, strings.HasPrefix(r.Headers["content-type"], "text/plain"))
	d := proxied(t, r)
	assert.JSONEq(t, `"GET"`, string(d["method"]))
	assert.JSONEq(t, `"/v2/organization?a=1&b=2"`, string(d["path"]))
	_, hasPayload := d["payload"]
	assert.False(t, hasPayload, "no body, no payload")

	cl, ok, err := s.Claims(id)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "p1", cl.PartnerID)
	assert.Equal(t, "c1", cl.ClientID)
	assert.Equal(t, "42", cl.CustomerID)
	assert.Equal(t, "inv_9", cl.InvoiceID)
	assert.True(t, exp.Equal(cl.ExpiresAt))
}

func TestClientWithoutTokenHasNoClaims(t *testing.T) {
	s := New(providerTransport(t), stdCrypto{})
	id, err := s.CreateClient(proxyOptions("", nil))
	require.NoError(t, err)
	_, ok, err := s.Claims(id)
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestClientClosed(t *testing.T) {
	tr := providerTransport(t)
	s := New(tr, stdCrypto{})
	id, err := s.CreateClient(proxyOptions("", nil))
	require.NoError(t, err)
	s.CloseClient(id)
	s.CloseClient(id) // closing twice is harmless

	_, err = s.Request(context.Background(), id, client.Call{Path: "/v2/organization"})
	e := requireCode(t, err, sberr.InvalidArgument)
	assert.Contains(t, e.Message, "createClient")
	_, _, err = s.Claims(id)
	requireCode(t, err, sberr.InvalidArgument)
	assert.Empty(t, tr.requests(), "a closed client sends nothing")

	// Ids are not reused: a new client never answers to a closed id.
	id2, err := s.CreateClient(proxyOptions("", nil))
	require.NoError(t, err)
	assert.NotEqual(t, id, id2)
	_, err = s.Request(context.Background(), id, client.Call{Path: "/v2/organization"})
	requireCode(t, err, sberr.InvalidArgument)

	// Ids never issued are refused the same way.
	for _, bad := range []int{0, -1, 1 << 30} {
		_, err = s.Request(context.Background(), bad, client.Call{Path: "/x"})
		requireCode(t, err, sberr.InvalidArgument)
	}
}

func TestCreateClientRefusesBadOptions(t *testing.T) {
	s, h, _ := shimWithKey(t, providerTransport(t))
	wrong := h
	wrong.Kid = "rotated-away"
	for name, o := range map[string]ClientOptions{
		"unknown key":             proxyOptions("", &wrong),
		"no proxy and no base":    {},
		"both proxy and base":     {Proxy: &client.ProxyEndpoint{Path: proxyPath}, BaseURL: "https://api.test"},
		"proxy without path":      {Proxy: &client.ProxyEndpoint{}},
		"base URL not absolute":   {BaseURL: "/v2"},
		"base URL not http(s)":    {BaseURL: "javascript:alert(1)"},
		"key with bad thumbprint": proxyOptions("", &KeyHandle{Kid: h.Kid, Thumbprint: "x"}),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.CreateClient(o)
			requireCode(t, err, sberr.InvalidArgument)
		})
	}
}

// A client created with a key seals the named fields before the request
// leaves: the descriptor that reaches the intermediary carries the JWE,
// which the provider's private key opens, and never the cleartext.
func TestClientSealsWithItsKey(t *testing.T) {
	tr := providerTransport(t)
	s, h, priv := shimWithKey(t, tr)
	id, err := s.CreateClient(proxyOptions("", &h))
	require.NoError(t, err)

	body := json.RawMessage(`{"id_connector":59,"login":"alice","password":"hunter2"}`)
	_, err = s.Request(context.Background(), id, client.Call{
		Method: "POST", Path: "/v1/users/me/connections", Body: body, Seal: []string{"/login", "/password"},
	})
	require.NoError(t, err)

	reqs := tr.requests()
	require.Len(t, reqs, 2, "one key fetch, one proxied call")
	r := reqs[1]
	assert.Equal(t, proxyPath, r.URL)
	raw, err := base64.StdEncoding.DecodeString(string(r.Body))
	require.NoError(t, err)
	for _, canary := range []string{"hunter2", "alice"} {
		assert.NotContains(t, string(r.Body), canary)
		assert.NotContains(t, string(raw), canary, "not even in the decoded descriptor")
	}

	d := proxied(t, r)
	assert.JSONEq(t, `"POST"`, string(d["method"]))
	var payload struct {
		IDConnector int    `json:"id_connector"`
		Login       string `json:"login"`
		Password    string `json:"password"`
	}
	require.NoError(t, json.Unmarshal(d["payload"], &payload))
	assert.Equal(t, 59, payload.IDConnector)
	plain, kid := decrypt(t, priv, payload.Password)
	assert.Equal(t, "hunter2", string(plain))
	assert.Equal(t, h.Kid, kid)
	plain, _ = decrypt(t, priv, payload.Login)
	assert.Equal(t, "alice", string(plain))
}

// Asking to seal without a key, or naming a field that is not there, sends
// nothing at all.
func TestClientSealFailureSendsNothing(t *testing.T) {
	tr := providerTransport(t)
	s, h, _ := shimWithKey(t, tr)
	noKey, err := s.CreateClient(proxyOptions("", nil))
	require.NoError(t, err)
	withKey, err := s.CreateClient(proxyOptions("", &h))
	require.NoError(t, err)
	before := len(tr.requests())

	body := json.RawMessage(`{"password":"hunter2"}`)
	_, err = s.Request(context.Background(), noKey, client.Call{Method: "POST", Path: "/x", Body: body, Seal: []string{"/password"}})
	e := requireCode(t, err, sberr.InvalidArgument)
	assert.NotContains(t, e.Message, "hunter2")

	_, err = s.Request(context.Background(), withKey, client.Call{Method: "POST", Path: "/x", Body: body, Seal: []string{"/pasword"}})
	e = requireCode(t, err, sberr.InvalidArgument)
	assert.NotContains(t, e.Message, "hunter2")

	assert.Len(t, tr.requests(), before, "nothing left the page")
}

// The registry is used from many goroutines at once in the page (each
// export runs in its own); -race checks it.
func TestClientsConcurrent(t *testing.T) {
	tr := providerTransport(t)
	s, h, _ := shimWithKey(t, tr)
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id, err := s.CreateClient(proxyOptions("", &h))
			if err != nil {
				errs <- err
				return
			}
			if _, err := s.Request(context.Background(), id, client.Call{Path: fmt.Sprintf("/v2/items/%d", i)}); err != nil {
				errs <- err
			}
			s.CloseClient(id)
			if _, err := s.Request(context.Background(), id, client.Call{Path: "/v2/x"}); sberr.CodeOf(err) != sberr.InvalidArgument {
				errs <- fmt.Errorf("request after close: %v", err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestExplicitSealThatSealsNothingSendsNothing: a call that asks for
// sealing must seal something, or nothing leaves; only a call that omits
// seal sends its body as it is.
func TestExplicitSealThatSealsNothingSendsNothing(t *testing.T) {
	tr := providerTransport(t)
	s, key, _ := shimWithKey(t, tr)
	id, err := s.CreateClient(proxyOptions("", &key))
	require.NoError(t, err)
	body := json.RawMessage(`{"login":"alice","password":"hunter2-canary","n":1,"o":{"p":"x"}}`)
	for name, seal := range map[string][]string{
		"empty list":       {},
		"root":             {""},
		"missing member":   {"/pasword"},
		"a number":         {"/n"},
		"an object":        {"/o"},
		"one good one bad": {"/password", "/nope"},
	} {
		before := len(tr.requests())
		_, err := s.Request(context.Background(), id, client.Call{Method: "POST", Path: "/v1/connections", Body: body, Seal: seal})
		requireCode(t, err, sberr.InvalidArgument)
		assert.Len(t, tr.requests(), before, "%s: nothing is sent", name)
	}
	_, err = s.Request(context.Background(), id, client.Call{Method: "POST", Path: "/v1/connections", Seal: []string{}})
	requireCode(t, err, sberr.InvalidArgument)

	before := len(tr.requests())
	_, err = s.Request(context.Background(), id, client.Call{Method: "POST", Path: "/v1/connections", Body: json.RawMessage(`{"note":"plain"}`)})
	require.NoError(t, err, "omitting seal sends the body as it is")
	reqs := tr.requests()
	require.Len(t, reqs, before+1)
	assert.JSONEq(t, `{"note":"plain"}`, string(proxied(t, reqs[before])["payload"]))
}

// A body to seal is held to the sealer's rules first, whose refusals name
// the pointer (a twin of the sealed member would let a reader take the
// clear one), then to the body rules every call's body meets (a twin
// anywhere else). Either way nothing is sent and no value is echoed.
func TestSealedBodyRulesNameThePointerFirst(t *testing.T) {
	tr := providerTransport(t)
	s, h, _ := shimWithKey(t, tr)
	id, err := s.CreateClient(proxyOptions("", &h))
	require.NoError(t, err)
	before := len(tr.requests())
	for body, want := range map[string]string{
		`{"password":"hunter2","Password":"hunter3"}`:        `"/password"`,
		`{"password":"hunter2","note":"a","NOTE":"hunter3"}`: `members "note" and "NOTE"`,
		`{"password":"hunter2","n":1,"n":2}`:                 `member "n" appears twice`,
	} {
		_, err := s.Request(context.Background(), id, client.Call{Method: "POST", Path: "/x", Body: json.RawMessage(body), Seal: []string{"/password"}})
		e := requireCode(t, err, sberr.InvalidArgument)
		assert.Contains(t, e.Message, want, body)
		assert.NotContains(t, e.Message, "hunter", body)
	}
	assert.Len(t, tr.requests(), before, "nothing left the page")
}
