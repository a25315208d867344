package intermediary

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/internal/testutil"
	"github.com/sealbridge/sealbridge/wasm/descriptor"
)

// Canary secrets: if one of them shows up in a log line or a response body,
// a test fails. TestMain scans the log of the whole suite at the end.
const (
	canaryAccess  = "canary-access-token-7f3b9c1e"
	canaryStaging = "canary-staging-token-d41e8a6b"
)

var (
	canaryMu    sync.Mutex
	canaryExtra []string // tokens issued at run time (the sandbox's)
	suiteLog    lockedBuffer
)

func addCanary(s string) {
	canaryMu.Lock()
	defer canaryMu.Unlock()
	canaryExtra = append(canaryExtra, s)
}

func canaries() []string {
	canaryMu.Lock()
	defer canaryMu.Unlock()
	return append([]string{canaryAccess, canaryStaging}, canaryExtra...)
}

type lockedBuffer = testutil.Buffer

// suiteLogger writes JSON lines into the suite's log buffer.
func suiteLogger(component string) *slog.Logger {
	return slog.New(slog.NewJSONHandler(&suiteLog, &slog.HandlerOptions{Level: slog.LevelDebug})).With("component", component)
}

func TestMain(m *testing.M) {
	code := m.Run()
	logs := suiteLog.String()
	if code == 0 {
		for _, c := range canaries() {
			if strings.Contains(logs, c) {
				fmt.Fprintf(os.Stderr, "canary check: a secret (%.12s...) appears in the logs\n", c)
				code = 1
			}
		}
	}
	os.Exit(code)
}

// stub is a counting upstream provider.
type stub struct {
	srv  *httptest.Server
	hits atomic.Int32

	mu      sync.Mutex
	header  http.Header
	body    []byte
	path    string
	handler http.HandlerFunc
}

// newStub serves h (nil: echo) and records each request.
func newStub(t *testing.T, h http.HandlerFunc) *stub {
	t.Helper()
	s := &stub{handler: h}
	if s.handler == nil {
		s.handler = echoEnvelope
	}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		b, _ := io.ReadAll(io.LimitReader(r.Body, 8<<20))
		s.mu.Lock()
		s.header, s.body, s.path = r.Header.Clone(), b, r.URL.Path
		s.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(b))
		s.handler(w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *stub) last() (http.Header, []byte, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.header, s.body, s.path
}

// echoEnvelope answers 200 with an envelope whose body is {"ok":true}.
func echoEnvelope(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	_, _ = io.WriteString(w, envelope(`{"ok":true}`))
}

func envelope(body string) string {
	s, err := descriptor.EncodeResponse(descriptor.Response{Headers: map[string]string{"content-type": "application/json"}, Body: json.RawMessage(body)})
	if err != nil {
		panic(err)
	}
	return s
}

// env is an intermediary served on 127.0.0.1 in front of a stub.
type env struct {
	up  *stub
	srv *httptest.Server
	h   *handler
}

// baseConfig is a Config that authenticates callers by a "sid=ok" cookie.
func baseConfig(providerURL string) Config {
	return Config{
		ProviderURL:  providerURL,
		Token:        func(context.Context) (string, error) { return canaryAccess, nil },
		StagingToken: canaryStaging,
		Authenticate: func(r *http.Request) bool {
			c, err := r.Cookie("sid")
			return err == nil && c.Value == "ok"
		},
		Logger: suiteLogger("intermediary"),
	}
}

func newEnv(t *testing.T, up http.HandlerFunc, mod func(*Config)) *env {
	t.Helper()
	e := &env{up: newStub(t, up)}
	cfg := baseConfig(e.up.srv.URL)
	if mod != nil {
		mod(&cfg)
	}
	h, err := newHandler(cfg)
	require.NoError(t, err)
	e.h = h
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	return e
}

// call posts body as the page would (text/plain, CSRF header, session
// cookie); edit changes the request first. It checks that no canary is in
// the answer, raw or decoded.
func (e *env) call(t *testing.T, body string, edit func(*http.Request)) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/api/embed-intermediary", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	req.Header.Set(CSRFHeader, "1")
	req.AddCookie(&http.Cookie{Name: "sid", Value: "ok"})
	if edit != nil {
		edit(req)
	}
	res, err := e.srv.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	noCanary(t, res, b)
	return res, b
}

// noCanary fails if a secret is in the answer's headers or body, also after
// decoding the envelope.
func noCanary(t *testing.T, res *http.Response, b []byte) {
	t.Helper()
	texts := []string{string(b), fmt.Sprint(res.Header)}
	if dec, err := base64.StdEncoding.DecodeString(string(b)); err == nil {
		texts = append(texts, string(dec))
	}
	for _, c := range canaries() {
		for _, s := range texts {
			require.NotContains(t, s, c, "a secret reached the caller")
		}
	}
}

// errorOf decodes one of the handler's error envelopes.
func errorOf(t *testing.T, b []byte) (code, message string, headers map[string]string) {
	t.Helper()
	r, err := descriptor.DecodeResponse(string(b), descriptor.Limits{})
	require.NoError(t, err, "body: %q", b)
	var e struct{ Code, Message string }
	require.NoError(t, json.Unmarshal(r.Body, &e))
	require.NotEmpty(t, e.Message)
	return e.Code, e.Message, r.Headers
}

// requireError checks status, code, the plain-text headers, and that the
// upstream was never called.
func (e *env) requireError(t *testing.T, res *http.Response, b []byte, status int, code string) string {
	t.Helper()
	require.Equal(t, status, res.StatusCode, "body: %s", b)
	got, msg, _ := errorOf(t, b)
	require.Equal(t, code, got, "message: %s", msg)
	require.Equal(t, "text/plain; charset=utf-8", res.Header.Get("Content-Type"))
	require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
	require.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	return msg
}

// rawDescriptor builds a descriptor without descriptor.Encode's checks, so
// that tests can send what a hostile page would.
func rawDescriptor(method, path string, headers map[string]string, payload string) string {
	h := "{"
	for k, v := range headers {
		if len(h) > 1 {
			h += ","
		}
		h += jsonString(k) + ":" + jsonString(v)
	}
	h += "}"
	s := `{"method":` + jsonString(method) + `,"headers":` + h + `,"path":` + jsonString(path)
	if payload != "" {
		s += `,"payload":` + payload
	}
	return base64.StdEncoding.EncodeToString([]byte(s + "}"))
}

// jsonString quotes s as JSON but keeps its bytes (json.Marshal would
// replace invalid UTF-8 with U+FFFD and hide it from the code under test).
func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20:
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// forwarded decodes the descriptor the stub last received.
func (e *env) forwarded(t *testing.T) descriptor.Request {
	t.Helper()
	_, body, _ := e.up.last()
	var in struct {
		Data string `json:"data"`
	}
	require.NoError(t, json.Unmarshal(body, &in))
	r, err := descriptor.Decode(in.Data, descriptor.Limits{})
	require.NoError(t, err)
	return r
}

// goldenGET is what the Qonto Embed SDK 0.64.2 sends for GET
// /v2/organization/ (note "authorization: Bearer undefined").
const goldenGET = "eyJtZXRob2QiOiJHRVQiLCJoZWFkZXJzIjp7ImFjY2VwdC1sYW5ndWFnZSI6ImVuIiwiYXV0aG9yaXphdGlvbiI6IkJlYXJlciB1bmRlZmluZWQiLCJjb250ZW50LXR5cGUiOiJhcHBsaWNhdGlvbi9qc29uIiwieC1xb250by0yZmEtcHJlZmVyZW5jZSI6InBhc3NrZXkifSwicGF0aCI6Ii92Mi9vcmdhbml6YXRpb24vIn0="

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
