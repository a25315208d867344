package client

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/wasm/session"
)

// The function form hands the page's function the very bytes the endpoint
// form posts, with the same headers, and reads the same envelope.
func TestProxyFuncGetsTheEndpointFormsDescriptor(t *testing.T) {
	tok := jwt(time.Now().Add(time.Hour), "inv")
	calls := []Call{
		{Method: "get", Path: "/v2/organization", Query: map[string]string{"b": "2", "a": "1"}},
		{Method: "PATCH", Path: "/v2/sepa/beneficiaries/42", Body: json.RawMessage(`{"beneficiary":{"name":"Société €"}}`)},
	}
	ft := &fakeTransport{fn: func(context.Context, *Request) (*Response, error) { return envelope(t, 200, `{"n":"é"}`, nil), nil }}
	endpoint, err := New(Config{Transport: ft, Proxy: &ProxyEndpoint{Path: "/p", Headers: map[string]string{"x-sealbridge-request": "1"}},
		Tokens: session.New(session.Options{Token: tok})})
	require.NoError(t, err)

	var got []string
	var headers []map[string]string
	fn, err := New(Config{ProxyFunc: func(_ context.Context, desc string, h map[string]string) (*Response, error) {
		got, headers = append(got, desc), append(headers, h)
		return &Response{Status: 200, Body: envelope(t, 200, `{"n":"é"}`, nil).Body}, nil
	}, Tokens: session.New(session.Options{Token: tok})})
	require.NoError(t, err)

	for i, call := range calls {
		a, err := endpoint.Do(context.Background(), call)
		require.NoError(t, err)
		b, err := fn.Do(context.Background(), call)
		require.NoError(t, err)
		assert.Equal(t, a, b, "the same answer from the same envelope")
		assert.Equal(t, string(ft.reqs[i].Body), got[i], "the same descriptor bytes")
		assert.Equal(t, "Bearer "+tok, headers[i]["authorization"])
	}
}
