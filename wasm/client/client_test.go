package client

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/wasm/descriptor"
	"github.com/sealbridge/sealbridge/wasm/sberr"
	"github.com/sealbridge/sealbridge/wasm/session"
)

// fakeTransport records requests and answers with fn.
type fakeTransport struct {
	mu   sync.Mutex
	reqs []*Request
	fn   func(ctx context.Context, r *Request) (*Response, error)
}

func (f *fakeTransport) RoundTrip(ctx context.Context, r *Request) (*Response, error) {
	f.mu.Lock()
	f.reqs = append(f.reqs, r)
	f.mu.Unlock()
	return f.fn(ctx, r)
}

func (f *fakeTransport) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reqs)
}

func envelope(t *testing.T, status int, body string, headers map[string]string) *Response {
	t.Helper()
	env, err := descriptor.EncodeResponse(descriptor.Response{Headers: map[string]string{"content-type": "application/json"}, Body: json.RawMessage(body)})
	require.NoError(t, err)
	return &Response{Status: status, Headers: headers, Body: []byte(env)}
}

func proxyClient(t *testing.T, ft *fakeTransport, tokens *session.Renewer) *Client {
	t.Helper()
	c, err := New(Config{
		Transport: ft,
		Proxy:     &ProxyEndpoint{Path: "/api/embed-intermediary", Method: "POST", Headers: map[string]string{"X-Sealbridge-Request": "1"}},
		Tokens:    tokens,
	})
	require.NoError(t, err)
	return c
}

func TestProxySendsQontoDescriptorAsTextBody(t *testing.T) {
	ft := &fakeTransport{fn: func(context.Context, *Request) (*Response, error) {
		return envelope(t, 200, `{"beneficiary":{"id":"42","name":"Société €"}}`, nil), nil
	}}
	c := proxyClient(t, ft, nil)
	res, err := c.Do(context.Background(), Call{Method: "patch", Path: "/v2/sepa/beneficiaries/42", Query: map[string]string{"b": "2", "a": "1"}, Body: json.RawMessage(`{"beneficiary":{"name":"Société €"}}`)})
	require.NoError(t, err)
	assert.Equal(t, 200, res.Status)
	assert.JSONEq(t, `{"beneficiary":{"id":"42","name":"Société €"}}`, string(res.Body))

	require.Equal(t, 1, ft.count())
	sent := ft.reqs[0]
	assert.Equal(t, "POST", sent.Method)
	assert.Equal(t, "/api/embed-intermediary", sent.URL)
	assert.Equal(t, "1", sent.Headers["X-Sealbridge-Request"])
	assert.Equal(t, "text/plain;charset=UTF-8", sent.Headers["content-type"])
	raw, err := base64.StdEncoding.DecodeString(string(sent.Body))
	require.NoError(t, err)
	assert.Equal(t, `{"method":"PATCH","headers":{"content-type":"application/json"},"path":"/v2/sepa/beneficiaries/42?a=1&b=2","payload":{"beneficiary":{"name":"Société €"}}}`, string(raw))
}

func TestNon2xxIsHTTPErrorWithStatusAndBody(t *testing.T) {
	for _, status := range []int{400, 404, 422, 428, 500} {
		ft := &fakeTransport{fn: func(context.Context, *Request) (*Response, error) {
			return envelope(t, status, `{"code":"x","message":"nope"}`, nil), nil
		}}
		_, err := proxyClient(t, ft, nil).Do(context.Background(), Call{Path: "/v2/organization"})
		var e *sberr.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, sberr.HTTPError, e.Code)
		assert.Equal(t, status, e.Status)
		assert.JSONEq(t, `{"code":"x","message":"nope"}`, string(e.Body))
		if status == 428 {
			assert.Contains(t, e.Message, "strong customer authentication")
		}
	}
}

func TestRestrictedIsMFARequired(t *testing.T) {
	ft := &fakeTransport{fn: func(context.Context, *Request) (*Response, error) {
		return envelope(t, 403, `{"code":"RESTRICTED","message":"Access to type accounts is restricted"}`, nil), nil
	}}
	_, err := proxyClient(t, ft, nil).Do(context.Background(), Call{Path: "/v1/accounts"})
	assert.Equal(t, sberr.MFARequired, sberr.CodeOf(err))
}

func TestNotAnEnvelopeIsBadResponse(t *testing.T) {
	for _, body := range []string{"<html>oops</html>", "", "eyJ4Ijox"} {
		ft := &fakeTransport{fn: func(context.Context, *Request) (*Response, error) {
			return &Response{Status: 200, Body: []byte(body)}, nil
		}}
		_, err := proxyClient(t, ft, nil).Do(context.Background(), Call{Path: "/v2/organization"})
		assert.Equal(t, sberr.BadResponse, sberr.CodeOf(err), "body %q", body)
	}
}

func TestTimeoutAbortsTheCall(t *testing.T) {
	ft := &fakeTransport{fn: func(ctx context.Context, _ *Request) (*Response, error) {
		<-ctx.Done()
		return nil, sberr.Wrap(ctx.Err(), sberr.Timeout, "aborted")
	}}
	c, err := New(Config{Transport: ft, Proxy: &ProxyEndpoint{Path: "/p"}, Timeout: 20 * time.Millisecond})
	require.NoError(t, err)
	_, err = c.Do(context.Background(), Call{Path: "/v2/organization"})
	assert.Equal(t, sberr.Timeout, sberr.CodeOf(err))
}

func TestSealWithoutKeySendsNothing(t *testing.T) {
	ft := &fakeTransport{fn: func(context.Context, *Request) (*Response, error) { return envelope(t, 200, `{}`, nil), nil }}
	_, err := proxyClient(t, ft, nil).Do(context.Background(), Call{Method: "POST", Path: "/x", Body: json.RawMessage(`{"iban":"FR76"}`), Seal: []string{"/iban"}})
	assert.Equal(t, sberr.InvalidArgument, sberr.CodeOf(err))
	assert.Zero(t, ft.count())
}

func TestSealFailureSendsNothing(t *testing.T) {
	ft := &fakeTransport{fn: func(context.Context, *Request) (*Response, error) { return envelope(t, 200, `{}`, nil), nil }}
	c, err := New(Config{Transport: ft, Proxy: &ProxyEndpoint{Path: "/p"}, Keys: sealWith(func([]byte) ([]byte, error) {
		return nil, sberr.New(sberr.InvalidArgument, "pointer \"/iban\": no such member")
	})})
	require.NoError(t, err)
	_, err = c.Do(context.Background(), Call{Method: "POST", Path: "/x", Body: json.RawMessage(`{}`), Seal: []string{"/iban"}})
	assert.Equal(t, sberr.InvalidArgument, sberr.CodeOf(err))
	assert.Zero(t, ft.count())
}

func TestSealedBodyIsWhatIsSent(t *testing.T) {
	ft := &fakeTransport{fn: func(context.Context, *Request) (*Response, error) { return envelope(t, 200, `{}`, nil), nil }}
	c, err := New(Config{Transport: ft, Proxy: &ProxyEndpoint{Path: "/p"}, Keys: sealWith(func(b []byte) ([]byte, error) {
		return []byte(strings.Replace(string(b), "FR76-secret", "SEALED", 1)), nil
	})})
	require.NoError(t, err)
	_, err = c.Do(context.Background(), Call{Method: "POST", Path: "/x", Body: json.RawMessage(`{"iban":"FR76-secret"}`), Seal: []string{"/iban"}})
	require.NoError(t, err)
	raw, _ := base64.StdEncoding.DecodeString(string(ft.reqs[0].Body))
	assert.Contains(t, string(raw), "SEALED")
	assert.NotContains(t, string(raw), "FR76-secret")
}

func TestBadCallsAreRefusedBeforeSending(t *testing.T) {
	ft := &fakeTransport{fn: func(context.Context, *Request) (*Response, error) { return envelope(t, 200, `{}`, nil), nil }}
	c := proxyClient(t, ft, nil)
	for _, call := range []Call{
		{Path: "v2/organization"},
		{Path: "//evil.example/x"},
		{Path: "/a\\b"},
		{Path: "/a\r\nb"},
		{Path: "/x", Body: json.RawMessage(`{not json`)},
	} {
		_, err := c.Do(context.Background(), call)
		assert.Equal(t, sberr.InvalidArgument, sberr.CodeOf(err), "%+v", call)
	}
	assert.Zero(t, ft.count())
}

func TestConfigErrors(t *testing.T) {
	ft := &fakeTransport{}
	for _, cfg := range []Config{
		{Transport: ft},
		{Transport: ft, Proxy: &ProxyEndpoint{Path: "/p"}, BaseURL: "https://api"},
		{Transport: ft, ProxyFunc: func(context.Context, string, map[string]string) (*Response, error) { return nil, nil }, BaseURL: "https://api"},
		{Transport: ft, BaseURL: "not a url"},
		{Transport: ft, Proxy: &ProxyEndpoint{}},
		{Proxy: &ProxyEndpoint{Path: "/p"}},
	} {
		_, err := New(cfg)
		assert.Equal(t, sberr.InvalidArgument, sberr.CodeOf(err), "%+v", cfg)
	}
}

// jwt builds an unsigned token with the given exp; the page reads claims
// unverified, so a signature is not needed here.
func jwt(exp time.Time, id string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256"}`)) + "." + enc([]byte(fmt.Sprintf(`{"exp":%d,"invoice_id":%q}`, exp.Unix(), id))) + ".sig"
}

func TestInvalidTokenRenewsOnceAndRetriesOnce(t *testing.T) {
	now := time.Now()
	old, fresh := jwt(now.Add(time.Hour), "old"), jwt(now.Add(time.Hour), "fresh")
	var renewals atomic.Int32
	tokens := session.New(session.Options{Token: old, Renew: func(context.Context) (string, error) {
		renewals.Add(1)
		return fresh, nil
	}})
	ft := &fakeTransport{fn: func(_ context.Context, r *Request) (*Response, error) {
		if r.Headers["authorization"] == "Bearer "+fresh {
			return envelope(t, 200, `{"ok":true}`, nil), nil
		}
		return envelope(t, 401, `{"code":"invalid_token","message":"expired"}`, map[string]string{"www-authenticate": `Bearer error="invalid_token"`}), nil
	}}
	c := proxyClient(t, ft, tokens)
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Do(context.Background(), Call{Path: "/v2/organization"})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int32(1), renewals.Load(), "one renewal for every waiting call")
	assert.LessOrEqual(t, ft.count(), 2*n, "at most one retry each")
}

func TestStillInvalidAfterRenewalDoesNotLoop(t *testing.T) {
	now := time.Now()
	var renewals atomic.Int32
	tokens := session.New(session.Options{Token: jwt(now.Add(time.Hour), "a"), Renew: func(context.Context) (string, error) {
		renewals.Add(1)
		return jwt(now.Add(time.Hour), fmt.Sprint("r", renewals.Load())), nil
	}})
	ft := &fakeTransport{fn: func(context.Context, *Request) (*Response, error) {
		return envelope(t, 401, `{"code":"invalid_token","message":"no"}`, nil), nil
	}}
	_, err := proxyClient(t, ft, tokens).Do(context.Background(), Call{Path: "/v2/organization"})
	var e *sberr.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, sberr.HTTPError, e.Code)
	assert.Equal(t, 401, e.Status)
	assert.Equal(t, int32(1), renewals.Load())
	assert.Equal(t, 2, ft.count())
}

func TestUnauthenticated401DoesNotRenew(t *testing.T) {
	var renewals atomic.Int32
	tokens := session.New(session.Options{Token: jwt(time.Now().Add(time.Hour), "a"), Renew: func(context.Context) (string, error) {
		renewals.Add(1)
		return "x", nil
	}})
	ft := &fakeTransport{fn: func(context.Context, *Request) (*Response, error) {
		return envelope(t, 401, `{"code":"unauthenticated","message":"no session"}`, nil), nil
	}}
	_, err := proxyClient(t, ft, tokens).Do(context.Background(), Call{Path: "/v2/organization"})
	assert.Equal(t, sberr.HTTPError, sberr.CodeOf(err))
	assert.Zero(t, renewals.Load())
	assert.Equal(t, 1, ft.count())
}

func TestDirectModeCallsBaseURLWithBearer(t *testing.T) {
	tok := jwt(time.Now().Add(time.Hour), "inv_1")
	ft := &fakeTransport{fn: func(context.Context, *Request) (*Response, error) {
		return &Response{Status: 201, Body: []byte(`{"id":"pay_1"}`)}, nil
	}}
	c, err := New(Config{Transport: ft, BaseURL: "http://127.0.0.1:9/", Tokens: session.New(session.Options{Token: tok})})
	require.NoError(t, err)
	res, err := c.Do(context.Background(), Call{Method: "POST", Path: "/v1/invoices/inv_1/payments", Body: json.RawMessage(`{"amount":1}`)})
	require.NoError(t, err)
	assert.Equal(t, 201, res.Status)
	assert.Equal(t, "http://127.0.0.1:9/v1/invoices/inv_1/payments", ft.reqs[0].URL)
	assert.Equal(t, "Bearer "+tok, ft.reqs[0].Headers["authorization"])
	claims, ok := c.Claims()
	require.True(t, ok)
	assert.Equal(t, "inv_1", claims.InvoiceID)
}

func TestDirectModeNonJSONSuccessIsBadResponse(t *testing.T) {
	ft := &fakeTransport{fn: func(context.Context, *Request) (*Response, error) {
		return &Response{Status: 200, Body: []byte(`<html>`)}, nil
	}}
	c, err := New(Config{Transport: ft, BaseURL: "http://127.0.0.1:9"})
	require.NoError(t, err)
	_, err = c.Do(context.Background(), Call{Path: "/v1/invoices/1"})
	assert.Equal(t, sberr.BadResponse, sberr.CodeOf(err))
}

func TestUnknownKidIsKeyUnknown(t *testing.T) {
	ft := &fakeTransport{fn: func(context.Context, *Request) (*Response, error) {
		return envelope(t, 400, `{"code":"unknown_kid","message":"refetch the key"}`, nil), nil
	}}
	_, err := proxyClient(t, ft, nil).Do(context.Background(), Call{Method: "POST", Path: "/x", Body: json.RawMessage(`{}`)})
	var e *sberr.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, sberr.KeyUnknown, e.Code)
	assert.Equal(t, 400, e.Status)
}
