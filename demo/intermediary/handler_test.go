package intermediary

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/apierr"
	"github.com/sealbridge/sealbridge/wasm/descriptor"
	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// The Qonto SDK's own descriptor goes through: the upstream gets one POST to
// the dispatch path with the server's token, the staging token and
// {"data": <canonical descriptor>}, and the caller gets the answer as is.
func TestForwardsSDKDescriptor(t *testing.T) {
	e := newEnv(t, nil, nil)
	res, b := e.call(t, goldenGET, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, envelope(`{"ok":true}`), string(b), "the answer must pass unmodified")
	require.Equal(t, "text/plain; charset=utf-8", res.Header.Get("Content-Type"))
	require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
	require.Equal(t, "no-store", res.Header.Get("Cache-Control"))

	require.EqualValues(t, 1, e.up.hits.Load())
	hdr, body, path := e.up.last()
	require.Equal(t, DefaultDispatchPath, path)
	require.Equal(t, []string{"Bearer " + canaryAccess}, hdr.Values("Authorization"))
	require.Equal(t, []string{canaryStaging}, hdr.Values(DefaultStagingHeader))
	require.Equal(t, "application/json", hdr.Get("Content-Type"))
	require.Empty(t, hdr.Values("Cookie"))
	require.Empty(t, hdr.Values(CSRFHeader))

	var in map[string]string
	require.NoError(t, json.Unmarshal(body, &in))
	require.Len(t, in, 1)
	req := e.forwarded(t)
	require.Equal(t, "GET", req.Method)
	require.Equal(t, "/v2/organization/", req.Path)
	require.Equal(t, map[string]string{"accept-language": "en", "content-type": "application/json", "x-qonto-2fa-preference": "passkey"}, req.Headers,
		"the SDK's \"authorization: Bearer undefined\" must be dropped")
	canon, err := descriptor.Encode(req)
	require.NoError(t, err)
	require.Equal(t, canon, in["data"], "the forwarded descriptor is canonical")
}

func TestForwardsCanonicalPathQueryAndPayload(t *testing.T) {
	e := newEnv(t, nil, nil)
	res, _ := e.call(t, rawDescriptor("GET", "/v2/sepa/beneficiaries?per_page=2&page=%31", nil, ""), nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "/v2/sepa/beneficiaries?page=1&per_page=2", e.forwarded(t).Path)

	payload := `{"beneficiary": {"name": "Société Générale € 2"}}`
	res, _ = e.call(t, rawDescriptor("PATCH", "/v2/sepa/beneficiaries/%41b-1", map[string]string{"Content-Type": "application/json"}, payload), nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	req := e.forwarded(t)
	require.Equal(t, "/v2/sepa/beneficiaries/Ab-1", req.Path)
	require.JSONEq(t, payload, string(req.Payload))
	require.Equal(t, map[string]string{"content-type": "application/json"}, req.Headers)
}

func TestJSONBody(t *testing.T) {
	e := newEnv(t, nil, nil)
	asJSON := func(r *http.Request) { r.Header.Set("Content-Type", "application/json") }
	res, b := e.call(t, `{"data":"`+goldenGET+`"}`, asJSON)
	require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", b)
	require.EqualValues(t, 1, e.up.hits.Load())

	for _, body := range []string{
		`{"Data":"` + goldenGET + `"}`,
		`{"DATA":"` + goldenGET + `"}`,
		`{"data":"` + goldenGET + `","data":"` + goldenGET + `"}`,
		`{"data":"` + goldenGET + `","extra":1}`,
		`{"data":"` + goldenGET + `"} {}`,
		`{"data":"` + goldenGET + `"}x`,
		`{"data":1}`, `{"data":null}`, `{"data":{}}`, `{}`, `[]`, `"` + goldenGET + `"`, ``, `{`, `{"data":""}`,
		`{"data":"` + goldenGET + `","dAtA":"` + goldenGET + `"}`,
		`{"data":"` + goldenGET + `","x":"\ud800"}`,
	} {
		res, b := e.call(t, body, asJSON)
		require.Equal(t, http.StatusBadRequest, res.StatusCode, "%s", body)
		e.requireError(t, res, b, http.StatusBadRequest, "bad_descriptor")
	}
	require.EqualValues(t, 1, e.up.hits.Load())
}

func TestBadDescriptorText(t *testing.T) {
	e := newEnv(t, nil, nil)
	for _, body := range []string{
		"", "not base64!", goldenGET + "\n", goldenGET[:len(goldenGET)-1], " " + goldenGET,
		strings.NewReplacer("+", "-", "/", "_").Replace(goldenGET) + "-",
		"PGh0bWw+", // "<html>"
		rawDescriptor("GET", "/v2/organization", nil, "") + "AAAA",
		rawDescriptor("get\r\n", "/v2/organization", nil, ""),
		rawDescriptor("GET", "/v2/organization", map[string]string{"x-a": "1\r\nX-Injected: 2"}, ""),
		rawDescriptor("GET", "/v2/organization", map[string]string{"bad name": "1"}, ""),
		rawDescriptor("GET", "/v2/organization", nil, "{bad json"),
		b64(`{"method":"GET","path":"/v2/organization","method":"GET"}`),
		b64(`{"method":"GET","Path":"/v2/organization"}`),
		b64(`{"method":"GET","path":"/v2/organization","headers":{"Accept":"a","accept":"b"}}`),
		b64(`{"method":"GET","path":"/v2/organization","extra":1}`),
		b64(`{"method":"GET"}`),
	} {
		res, b := e.call(t, body, nil)
		require.Equal(t, http.StatusBadRequest, res.StatusCode, "%q", body)
		e.requireError(t, res, b, http.StatusBadRequest, "bad_descriptor")
	}
	require.Zero(t, e.up.hits.Load())
}

func TestUnsupportedMediaType(t *testing.T) {
	e := newEnv(t, nil, nil)
	for _, ct := range []string{"application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/html", ";;"} {
		res, b := e.call(t, goldenGET, func(r *http.Request) { r.Header.Set("Content-Type", ct) })
		e.requireError(t, res, b, http.StatusUnsupportedMediaType, "unsupported_media_type")
	}
	res, _ := e.call(t, goldenGET, func(r *http.Request) { r.Header.Del("Content-Type") })
	require.Equal(t, http.StatusOK, res.StatusCode, "no Content-Type reads as text")
	require.EqualValues(t, 1, e.up.hits.Load())
}

func TestOversizeInbound(t *testing.T) {
	e := newEnv(t, nil, func(c *Config) { c.MaxBody = 1024 })
	big := rawDescriptor("PATCH", "/v2/sepa/beneficiaries/x", nil, `{"name":"`+strings.Repeat("a", 2000)+`"}`)
	res, b := e.call(t, big, nil)
	e.requireError(t, res, b, http.StatusRequestEntityTooLarge, "payload_too_large")
	res, b = e.call(t, `{"data":"`+big+`"}`, func(r *http.Request) { r.Header.Set("Content-Type", "application/json") })
	e.requireError(t, res, b, http.StatusRequestEntityTooLarge, "payload_too_large")

	// Too many descriptor headers is a size problem too.
	hs := map[string]string{}
	for i := range 65 {
		hs[fmt.Sprintf("x-h%d", i)] = "v"
	}
	e2 := newEnv(t, nil, nil)
	res, b = e2.call(t, rawDescriptor("GET", "/v2/organization", hs, ""), nil)
	e2.requireError(t, res, b, http.StatusRequestEntityTooLarge, "payload_too_large")
	require.Zero(t, e.up.hits.Load()+e2.up.hits.Load())
}

func TestRequiresAuthentication(t *testing.T) {
	e := newEnv(t, nil, nil)
	res, b := e.call(t, goldenGET, func(r *http.Request) { r.Header.Del("Cookie") })
	msg := e.requireError(t, res, b, http.StatusUnauthorized, "unauthenticated")
	require.Contains(t, msg, "session")
	res, b = e.call(t, goldenGET, func(r *http.Request) { r.Header.Set("Cookie", "sid=forged") })
	e.requireError(t, res, b, http.StatusUnauthorized, "unauthenticated")

	// Without Authenticate the handler fails closed.
	closed := newEnv(t, nil, func(c *Config) { c.Authenticate = nil })
	res, b = closed.call(t, goldenGET, nil)
	closed.requireError(t, res, b, http.StatusUnauthorized, "unauthenticated")
	require.Zero(t, e.up.hits.Load()+closed.up.hits.Load())
}

func TestCSRF(t *testing.T) {
	e := newEnv(t, nil, nil)
	for name, edit := range map[string]func(*http.Request){
		"no custom header":         func(r *http.Request) { r.Header.Del(CSRFHeader) },
		"empty custom header":      func(r *http.Request) { r.Header.Set(CSRFHeader, "") },
		"Sec-Fetch-Site":           func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") },
		"Sec-Fetch-Site same-site": func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "same-site") },
		"foreign Origin":           func(r *http.Request) { r.Header.Set("Origin", "http://evil.example") },
		"form post": func(r *http.Request) {
			r.Header.Del(CSRFHeader)
			r.Header.Set("Origin", "http://evil.example")
			r.Header.Set("Content-Type", "text/plain")
		},
	} {
		res, b := e.call(t, goldenGET, edit)
		require.Equal(t, http.StatusForbidden, res.StatusCode, name)
		e.requireError(t, res, b, http.StatusForbidden, "csrf")
	}
	require.Zero(t, e.up.hits.Load())

	// Same-origin browser calls pass.
	res, _ := e.call(t, goldenGET, func(r *http.Request) {
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		r.Header.Set("Origin", e.srv.URL)
	})
	require.Equal(t, http.StatusOK, res.StatusCode)

	// A trusted origin may call cross-origin.
	tr := newEnv(t, nil, func(c *Config) { c.TrustedOrigins = []string{"https://app.example"} })
	res, _ = tr.call(t, goldenGET, func(r *http.Request) {
		r.Header.Set("Sec-Fetch-Site", "cross-site")
		r.Header.Set("Origin", "https://app.example")
	})
	require.Equal(t, http.StatusOK, res.StatusCode)
}

func TestOnlyPOST(t *testing.T) {
	e := newEnv(t, nil, nil)
	for _, m := range []string{"GET", "PUT", "DELETE", "TRACE", "OPTIONS"} {
		res, b := e.call(t, goldenGET, func(r *http.Request) { r.Method = m })
		e.requireError(t, res, b, http.StatusMethodNotAllowed, "method_not_allowed")
		require.Equal(t, "POST", res.Header.Get("Allow"))
	}
	require.Zero(t, e.up.hits.Load())
}

func TestAllowlist(t *testing.T) {
	e := newEnv(t, nil, nil)
	for _, tc := range []struct{ method, path string }{
		{"GET", "/v2/transfers"},
		{"POST", "/v2/sepa/transfers"},
		{"GET", "/v2/organization/x"},
		{"GET", "/v2/sepa/beneficiaries/a.b"},
		{"GET", "/v2/sepa/beneficiaries/x/y"},
		{"GET", "/v2/sepa/beneficiaries/%C3%A9"},
		{"GET", "/V2/organization"},
		{"TRACE", "/v2/transfers"},
	} {
		res, b := e.call(t, rawDescriptor(tc.method, tc.path, nil, ""), nil)
		require.Equal(t, http.StatusForbidden, res.StatusCode, "%v", tc)
		e.requireError(t, res, b, http.StatusForbidden, "path_not_allowed")
	}
	for _, tc := range []struct{ method, path, allow string }{
		{"DELETE", "/v2/sepa/beneficiaries/abc", "GET, PATCH"},
		{"TRACE", "/v2/sepa/beneficiaries/abc", "GET, PATCH"},
		{"CONNECT", "/v2/organization", "GET"},
		{"get", "/v2/organization", "GET"},
		{"Patch", "/v2/sepa/beneficiaries/abc", "GET, PATCH"},
		{"PATCH", "/v2/sepa/beneficiaries", "GET"},
		{"HEAD", "/v2/organization/", "GET"},
	} {
		res, b := e.call(t, rawDescriptor(tc.method, tc.path, nil, ""), nil)
		require.Equal(t, http.StatusMethodNotAllowed, res.StatusCode, "%v", tc)
		msg := e.requireError(t, res, b, http.StatusMethodNotAllowed, "method_not_allowed")
		require.Equal(t, tc.allow, res.Header.Get("Allow"))
		_, _, hs := errorOf(t, b)
		require.Equal(t, tc.allow, hs["allow"], "the envelope carries Allow too")
		if strings.ToUpper(tc.method) != tc.method {
			require.Contains(t, msg, "case-sensitive")
		}
	}
	require.Zero(t, e.up.hits.Load())
}

func TestVerifyCaller(t *testing.T) {
	var verr error
	e := newEnv(t, nil, func(c *Config) {
		c.VerifyCaller = func(r *http.Request) error { return verr }
	})
	for _, err := range []error{ErrInvalidToken, fmt.Errorf("jwt: %w", ErrInvalidToken), sberr.New(sberr.Code(apierr.InvalidToken), "expired")} {
		verr = err
		res, b := e.call(t, goldenGET, func(r *http.Request) { r.Header.Set("Authorization", "Bearer scoped") })
		e.requireError(t, res, b, http.StatusUnauthorized, "invalid_token")
		require.Equal(t, `Bearer error="invalid_token"`, res.Header.Get("WWW-Authenticate"))
		_, _, hs := errorOf(t, b)
		require.Equal(t, `Bearer error="invalid_token"`, hs["www-authenticate"])
	}
	verr = errors.New("invoice belongs to someone else")
	res, b := e.call(t, goldenGET, nil)
	msg := e.requireError(t, res, b, http.StatusForbidden, "forbidden")
	require.NotContains(t, msg, "invoice", "the hook's error text is not shown")
	require.Zero(t, e.up.hits.Load())

	verr = nil
	res, _ = e.call(t, goldenGET, func(r *http.Request) { r.Header.Set("Authorization", "Bearer scoped") })
	require.Equal(t, http.StatusOK, res.StatusCode)
	hdr, _, _ := e.up.last()
	require.Equal(t, "Bearer "+canaryAccess, hdr.Get("Authorization"), "the page's token is never forwarded")
}

// Descriptor headers cannot override what the server sends, and only the
// allowlisted ones pass.
func TestHeaderInjection(t *testing.T) {
	e := newEnv(t, nil, nil)
	hostile := map[string]string{
		"authorization":         "Bearer attacker",
		"cookie":                "sid=attacker",
		"host":                  "evil.example",
		"x-forwarded-for":       "10.0.0.1",
		"x-forwarded-host":      "evil.example",
		"forwarded":             "for=10.0.0.1",
		"x-qonto-staging-token": "attacker-staging",
		"connection":            "close, x-qonto-sca-session-token",
		"keep-alive":            "timeout=5",
		"te":                    "trailers",
		"trailer":               "x-a",
		"transfer-encoding":     "chunked",
		"upgrade":               "websocket",
		"proxy-authorization":   "Basic eA==",
		"content-length":        "0",
		"x-custom":              "nope",
		"accept":                "application/json",
		"idempotency-key":       "idem-1",
	}
	res, _ := e.call(t, rawDescriptor("PATCH", "/v2/sepa/beneficiaries/abc", hostile, `{}`), func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer page-token")
		r.Header.Set("X-Forwarded-For", "10.9.9.9")
		r.Header.Set(DefaultStagingHeader, "page-staging")
	})
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, map[string]string{"accept": "application/json", "idempotency-key": "idem-1"}, e.forwarded(t).Headers)
	hdr, _, _ := e.up.last()
	require.Equal(t, []string{"Bearer " + canaryAccess}, hdr.Values("Authorization"))
	require.Equal(t, []string{canaryStaging}, hdr.Values(DefaultStagingHeader))
	for _, h := range []string{"Cookie", "X-Forwarded-For", "X-Forwarded-Host", "Forwarded", "Proxy-Authorization", "Idempotency-Key", CSRFHeader} {
		require.Empty(t, hdr.Values(h), h)
	}

	// A custom staging header name is stripped from descriptors too.
	c := newEnv(t, nil, func(c *Config) {
		c.StagingHeader = "X-Env-Key"
		c.ForwardHeaders = []string{"accept", "x-custom"}
	})
	res, _ = c.call(t, rawDescriptor("GET", "/v2/organization", map[string]string{"x-env-key": "attacker", "x-custom": "ok", "accept-language": "fr"}, ""), nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, map[string]string{"x-custom": "ok"}, c.forwarded(t).Headers)
	hdr, _, _ = c.up.last()
	require.Equal(t, []string{canaryStaging}, hdr.Values("X-Env-Key"))
}

func TestNoStagingHeaderWhenUnset(t *testing.T) {
	e := newEnv(t, nil, func(c *Config) { c.StagingToken = "" })
	res, _ := e.call(t, goldenGET, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	hdr, _, _ := e.up.last()
	require.Empty(t, hdr.Values(DefaultStagingHeader))
}

func TestNewValidatesConfig(t *testing.T) {
	ok := baseConfig("http://127.0.0.1:1")
	_, err := New(ok)
	require.NoError(t, err)
	for name, mod := range map[string]func(*Config){
		"no token":              func(c *Config) { c.Token = nil },
		"no provider":           func(c *Config) { c.ProviderURL = "" },
		"relative provider":     func(c *Config) { c.ProviderURL = "/api" },
		"ftp provider":          func(c *Config) { c.ProviderURL = "ftp://x" },
		"provider userinfo":     func(c *Config) { c.ProviderURL = "https://u:p@x" },
		"provider query":        func(c *Config) { c.ProviderURL = "https://x/?a=1" },
		"dispatch path":         func(c *Config) { c.DispatchPath = "v1/x" },
		"dispatch host":         func(c *Config) { c.DispatchPath = "//evil/x" },
		"bad rule":              func(c *Config) { c.Allow = []Rule{{"GET", "/v2/../x"}} },
		"trace rule":            func(c *Config) { c.Allow = []Rule{{"TRACE", "/v2/x"}} },
		"lowercase rule":        func(c *Config) { c.Allow = []Rule{{"get", "/v2/x"}} },
		"forward authorization": func(c *Config) { c.ForwardHeaders = []string{"Authorization"} },
		"forward xff":           func(c *Config) { c.ForwardHeaders = []string{"X-Forwarded-For"} },
		"forward staging":       func(c *Config) { c.ForwardHeaders = []string{"x-qonto-staging-token"} },
		"forward custom staging": func(c *Config) {
			c.StagingHeader = "X-Env-Key"
			c.ForwardHeaders = []string{"x-env-key"}
		},
		"forward hop-by-hop": func(c *Config) { c.ForwardHeaders = []string{"Connection"} },
		"staging CRLF":       func(c *Config) { c.StagingToken = "a\r\nb" },
		"trusted origin":     func(c *Config) { c.TrustedOrigins = []string{"not an origin"} },
	} {
		c := baseConfig("http://127.0.0.1:1")
		mod(&c)
		_, err := New(c)
		require.Error(t, err, name)
	}
}

func TestTokenFailure(t *testing.T) {
	e := newEnv(t, nil, func(c *Config) {
		c.Token = func(context.Context) (string, error) {
			return "", errors.New("oauth2: token endpoint said " + canaryAccess)
		}
	})
	res, b := e.call(t, goldenGET, nil)
	e.requireError(t, res, b, http.StatusBadGateway, "upstream_unavailable")
	require.Zero(t, e.up.hits.Load())
}
