package checkout

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/sandbox"
)

// Canaries for the fake provider. The access token is JWT-shaped, so that
// only the equality check stops a provider that hands it back as the scoped
// token.
const (
	checkoutFakeSecret = "cs_CANARY_client_secret_3f9a"
	checkoutFakeAT     = "eyJhbGciOiJub25lIn0.eyJjYW5hcnkiOiJhdCJ9.Q0FOQVJZX2FjY2Vzcw"
)

// checkoutFake is a provider whose init endpoint misbehaves on demand.
type checkoutFake struct {
	srv                            *httptest.Server
	tokenHits, initHits, elsewhere atomic.Int32
}

func newCheckoutFake(t *testing.T, tokenEndpoint, init http.HandlerFunc) *checkoutFake {
	t.Helper()
	f := &checkoutFake{}
	if tokenEndpoint == nil {
		tokenEndpoint = func(w http.ResponseWriter, r *http.Request) {
			if id, secret, ok := r.BasicAuth(); !ok || id != "cid" || secret != checkoutFakeSecret {
				http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"access_token":"` + checkoutFakeAT + `","token_type":"Bearer","expires_in":3600}`))
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /auth/token", func(w http.ResponseWriter, r *http.Request) {
		f.tokenHits.Add(1)
		tokenEndpoint(w, r)
	})
	mux.HandleFunc("POST /v1/checkout-auth/init", func(w http.ResponseWriter, r *http.Request) {
		f.initHits.Add(1)
		init(w, r)
	})
	mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) { f.elsewhere.Add(1) })
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func newCheckoutFakeMinter(t *testing.T, url string, logs *checkoutLogs) *Minter {
	t.Helper()
	m, err := NewMinter(MinterConfig{ProviderURL: url, ClientID: "cid", ClientSecret: checkoutFakeSecret, Logger: checkoutLogger(logs)})
	require.NoError(t, err)
	return m
}

var checkoutFakeCanaries = []string{checkoutFakeSecret, checkoutFakeAT, "Bearer ", "Basic "}

func TestMinterProviderFailures(t *testing.T) {
	echo := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			_, _ = w.Write([]byte("you sent Authorization: " + r.Header.Get("Authorization")))
		}
	}
	body := func(status int, s string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(s))
		}
	}
	cases := []struct {
		name       string
		init       http.HandlerFunc
		status     int
		code       string
		tokenHits  int32
		initHits   int32
		wantSecret bool
	}{
		{"500 echoing the request", echo(500), 502, "upstream_error", 1, 1, false},
		{"400 echoing the request", echo(400), 502, "upstream_error", 1, 1, false},
		{"200, not JSON", body(200, "<html>ok</html>"), 502, "upstream_error", 1, 1, false},
		{"200, no token", body(200, `{}`), 502, "upstream_error", 1, 1, false},
		{"200, token not a JWT", body(200, `{"token":"opaque"}`), 502, "upstream_error", 1, 1, false},
		{"200, the access token handed back", body(200, `{"token":"`+checkoutFakeAT+`"}`), 502, "upstream_error", 1, 1, false},
		{"200, over 64 KiB", body(200, `{"token":"a.b.c","pad":"`+strings.Repeat("x", 64<<10)+`"}`), 502, "upstream_error", 1, 1, false},
		{"404", body(404, `{"code":"not_found"}`), 404, "not_found", 1, 1, false},
		{"403", body(403, `{"code":"forbidden"}`), 403, "forbidden", 1, 1, false},
		{"401 twice: one fresh access token, then give up", body(401, `{"code":"invalid_token"}`), 502, "upstream_error", 2, 2, false},
		{"redirect is not followed", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
		}, 502, "upstream_error", 1, 1, false},
		{"connection dropped", func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				_ = conn.Close()
			}
		}, 503, "upstream_unavailable", 1, 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newCheckoutFake(t, nil, tc.init)
			logs := &checkoutLogs{}
			m := newCheckoutFakeMinter(t, f.srv.URL, logs)
			w := checkoutPostInvoice(m, "demo-user", "inv_1001")
			require.Equal(t, tc.status, w.Code, w.Body.String())
			assert.Equal(t, tc.code, checkoutCode(t, w))
			assert.Equal(t, tc.tokenHits, f.tokenHits.Load(), "token endpoint hits")
			assert.Equal(t, tc.initHits, f.initHits.Load(), "init hits")
			assert.Zero(t, f.elsewhere.Load(), "no redirect followed")
			assert.Contains(t, logs.String(), "invoice_id=inv_1001")
			checkoutAssertAbsent(t, checkoutFakeCanaries, logs.String(), w)
		})
	}
}

func TestMinterTokenEndpointDown(t *testing.T) {
	t.Run("provider unreachable", func(t *testing.T) {
		f := newCheckoutFake(t, nil, nil)
		url := f.srv.URL
		f.srv.Close()
		logs := &checkoutLogs{}
		w := checkoutPostInvoice(newCheckoutFakeMinter(t, url, logs), "demo-user", "inv_1001")
		require.Equal(t, http.StatusServiceUnavailable, w.Code)
		assert.Equal(t, "upstream_unavailable", checkoutCode(t, w))
		assert.Contains(t, logs.String(), "error_kind=network")
		checkoutAssertAbsent(t, checkoutFakeCanaries, logs.String(), w)
	})
	t.Run("token endpoint answers 500", func(t *testing.T) {
		p := newCheckoutProvider(t, sandbox.Config{})
		p.tokenDown.Store(true)
		logs := &checkoutLogs{}
		m := newCheckoutTestMinter(t, p, logs)
		w := checkoutPostInvoice(m, "demo-user", "inv_1001")
		require.Equal(t, http.StatusServiceUnavailable, w.Code)
		assert.Equal(t, "upstream_unavailable", checkoutCode(t, w))
		assert.Zero(t, p.sb.MintCount())
		assert.Contains(t, logs.String(), "upstream_status=500")
		checkoutAssertNoSecrets(t, p, logs.String(), w)

		// Back up: the next mint works; a failure is not cached.
		p.tokenDown.Store(false)
		require.Equal(t, http.StatusOK, checkoutPostInvoice(m, "demo-user", "inv_1001").Code)
		assert.Equal(t, 1, p.sb.MintCount())
	})
	t.Run("token endpoint echoes the secret in its error", func(t *testing.T) {
		f := newCheckoutFake(t, func(w http.ResponseWriter, r *http.Request) {
			_, secret, _ := r.BasicAuth()
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client ` + secret + `","error_description":"wrong secret ` + secret + `"}`))
		}, func(w http.ResponseWriter, r *http.Request) { t.Error("init must not be called") })
		logs := &checkoutLogs{}
		w := checkoutPostInvoice(newCheckoutFakeMinter(t, f.srv.URL, logs), "demo-user", "inv_1001")
		require.Equal(t, http.StatusServiceUnavailable, w.Code)
		assert.Equal(t, "upstream_unavailable", checkoutCode(t, w))
		checkoutAssertAbsent(t, checkoutFakeCanaries, logs.String(), w)
	})
}

func TestMinterBadRequests(t *testing.T) {
	p := newCheckoutProvider(t, sandbox.Config{})
	m := newCheckoutTestMinter(t, p, &checkoutLogs{})
	const js = "application/json"
	cases := []struct {
		name, user, contentType, body string
		status                        int
		code                          string
	}{
		{"no session", "", js, `{"invoice_id":"inv_1001"}`, 401, "unauthenticated"},
		{"no content type", "demo-user", "", `{"invoice_id":"inv_1001"}`, 415, "unsupported_media_type"},
		{"form post", "demo-user", "application/x-www-form-urlencoded", `invoice_id=inv_1001`, 415, "unsupported_media_type"},
		{"text/plain", "demo-user", "text/plain", `{"invoice_id":"inv_1001"}`, 415, "unsupported_media_type"},
		{"not JSON", "demo-user", js, `invoice_id=inv_1001`, 400, "invalid_argument"},
		{"empty body", "demo-user", js, ``, 400, "invalid_argument"},
		{"unknown field", "demo-user", js, `{"invoice_id":"inv_1001","customer_id":"cus_other"}`, 400, "invalid_argument"},
		{"two values", "demo-user", js, `{"invoice_id":"inv_1001"}{"invoice_id":"inv_2001"}`, 400, "invalid_argument"},
		{"empty id", "demo-user", js, `{"invoice_id":""}`, 400, "invalid_argument"},
		{"id with a slash", "demo-user", js, `{"invoice_id":"../inv_1001"}`, 400, "invalid_argument"},
		{"id with a space", "demo-user", js, `{"invoice_id":"inv 1001"}`, 400, "invalid_argument"},
		{"id too long", "demo-user", js, `{"invoice_id":"` + strings.Repeat("a", 65) + `"}`, 400, "invalid_argument"},
		{"id not a string", "demo-user", js, `{"invoice_id":1001}`, 400, "invalid_argument"},
		{"case-fold twin ids", "demo-user", js, `{"invoice_id":"inv_1001","INVOICE_ID":"inv_2001"}`, 400, "invalid_argument"},
		{"duplicate ids", "demo-user", js, `{"invoice_id":"inv_2001","invoice_id":"inv_1001"}`, 400, "invalid_argument"},
		{"lone surrogate", "demo-user", js, `{"invoice_id":"inv_1001","x\ud800":1}`, 400, "invalid_argument"},
		{"body too large", "demo-user", js, `{"invoice_id":"` + strings.Repeat("a", 5<<10) + `"}`, 413, "payload_too_large"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := checkoutPost(m, tc.user, tc.contentType, tc.body)
			require.Equal(t, tc.status, w.Code, w.Body.String())
			assert.Equal(t, tc.code, checkoutCode(t, w))
		})
	}
	t.Run("GET", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodGet, "/api/checkout-token", nil)
		w := httptest.NewRecorder()
		m.ServeHTTP(w, r)
		require.Equal(t, http.StatusMethodNotAllowed, w.Code)
		assert.Equal(t, "POST", w.Header().Get("Allow"))
		assert.Equal(t, "method_not_allowed", checkoutCode(t, w))
	})
	assert.Zero(t, p.tokenHits.Load(), "bad requests never reach the provider")
	assert.Zero(t, p.sb.MintCount())
}
