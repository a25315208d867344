package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/sandbox"
	"github.com/sealbridge/sealbridge/demo/session"
	"github.com/sealbridge/sealbridge/internal/testutil"
)

type flowsClock = testutil.Clock

type syncBuffer = testutil.Buffer

// flowsEnv is a dev server (Flows on an httptest server) talking to an
// httptest sandbox, and a browser (cookie jar, follows redirects) that
// records every response it gets.
type flowsEnv struct {
	clock    *flowsClock
	sbx      *sandbox.Sandbox
	sbxSrv   *httptest.Server
	store    *session.Sealed
	sessions *session.Sessions
	flows    *Flows
	app      *httptest.Server
	browser  *http.Client
	appLogs  *syncBuffer // Flows' log (raw JSON handler: Flows must redact by itself)
	sbxLogs  *syncBuffer

	tokenHits atomic.Int64 // every POST /auth/token at the sandbox
	tokenDown atomic.Bool  // answer 503 at the token endpoint
	// refreshGate, when set, holds refresh requests until it is closed.
	refreshGate atomic.Pointer[chan struct{}]
	inApp       atomic.Int64 // requests currently inside the dev server

	mu        sync.Mutex
	issued    []string // every access and refresh token the sandbox issued
	responses []string // every response the browser received, headers and body
}

func newFlowsEnv(t *testing.T, mutate func(*sandbox.Config)) *flowsEnv {
	t.Helper()
	e := &flowsEnv{
		clock:   testutil.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)),
		appLogs: &syncBuffer{},
		sbxLogs: &syncBuffer{},
	}
	cfg := sandbox.Config{
		Now:    e.clock.Now,
		Logger: slog.New(slog.NewJSONHandler(e.sbxLogs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	cfg.OAuth.TwoFactorWindow = 2 * time.Minute
	if mutate != nil {
		mutate(&cfg)
	}
	sbx, err := sandbox.New(cfg)
	require.NoError(t, err)
	e.sbx = sbx
	e.sbxSrv = httptest.NewServer(http.HandlerFunc(e.serveSandbox))
	t.Cleanup(e.sbxSrv.Close)

	e.app = httptest.NewUnstartedServer(nil)
	appURL := "http://" + e.app.Listener.Addr().String()
	sbx.SetRedirectURIs(appURL + "/auth/callback")

	e.store = session.NewMemoryStore(0)
	e.sessions = &session.Sessions{Store: e.store, Now: e.clock.Now}
	id, secret := sbx.ClientCredentials()
	e.flows, err = NewFlows(FlowsConfig{
		ClientID: id, ClientSecret: secret,
		AuthURL:     e.sbxSrv.URL + "/auth",
		TokenURL:    e.sbxSrv.URL + "/auth/token",
		RevokeURL:   e.sbxSrv.URL + "/auth/revoke",
		RedirectURL: appURL + "/auth/callback",
		ProviderURL: e.sbxSrv.URL,
		Logger:      slog.New(slog.NewJSONHandler(e.appLogs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Sessions:    e.sessions,
		Now:         e.clock.Now,
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	e.flows.Register(mux)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "home") })
	// The app's own sign-in, which the provider flows require.
	mux.HandleFunc("POST /signin", func(w http.ResponseWriter, r *http.Request) { _, _, _ = e.sessions.SignIn(w, r, "demo-user") })
	mux.HandleFunc("GET /landing", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "landing") })
	e.app.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.inApp.Add(1)
		defer e.inApp.Add(-1)
		mux.ServeHTTP(w, r)
	})
	e.app.Start()
	t.Cleanup(e.app.Close)

	e.browser = e.newBrowser(t)
	return e
}

// serveSandbox wraps the sandbox: counts and can fail or hold the token
// endpoint, and records the tokens it issues (for the canary checks).
func (e *flowsEnv) serveSandbox(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/auth/token" {
		e.sbx.Handler().ServeHTTP(w, r)
		return
	}
	e.tokenHits.Add(1)
	if e.tokenDown.Load() {
		http.Error(w, `{"error":"temporarily_unavailable"}`, http.StatusServiceUnavailable)
		return
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	if gate := e.refreshGate.Load(); gate != nil && strings.Contains(string(body), "grant_type=refresh_token") {
		<-*gate
	}
	rec := httptest.NewRecorder()
	e.sbx.Handler().ServeHTTP(rec, r)
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if json.Unmarshal(rec.Body.Bytes(), &tok) == nil {
		e.mu.Lock()
		for _, s := range []string{tok.AccessToken, tok.RefreshToken} {
			if s != "" {
				e.issued = append(e.issued, s)
			}
		}
		e.mu.Unlock()
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// newBrowser is a cookie-jar client, signed in to the app, that follows
// redirects and records every response into e.responses.
func (e *flowsEnv) newBrowser(t *testing.T) *http.Client {
	c := e.newAnonymousBrowser(t)
	require.Equal(t, http.StatusOK, do(t, c, http.MethodPost, e.app.URL+"/signin", "", "").status)
	return c
}

// newAnonymousBrowser is newBrowser without the app sign-in.
func (e *flowsEnv) newAnonymousBrowser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar, Transport: recordingTransport{e}}
}

type recordingTransport struct{ e *flowsEnv }

func (rt recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	var sb strings.Builder
	_ = res.Header.Write(&sb)
	sb.Write(body)
	rt.e.mu.Lock()
	rt.e.responses = append(rt.e.responses, sb.String())
	rt.e.mu.Unlock()
	return res, nil
}

func (e *flowsEnv) password(t *testing.T, user string) string {
	t.Helper()
	u, ok := e.sbx.DemoUser(user)
	require.True(t, ok, "no demo user %q", user)
	return u.Password
}

type response struct {
	status int
	header http.Header
	body   string
	url    *url.URL // final URL after redirects
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.body), &m), "body: %s", r.body)
	return m
}

func do(t *testing.T, c *http.Client, method, u, contentType, body string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, u, strings.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := c.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return response{status: res.StatusCode, header: res.Header, body: string(b), url: res.Request.URL}
}

func (e *flowsEnv) get(t *testing.T, path string) response {
	return do(t, e.browser, http.MethodGet, e.app.URL+path, "", "")
}

func (e *flowsEnv) postJSON(t *testing.T, path, body string) response {
	return do(t, e.browser, http.MethodPost, e.app.URL+path, "application/json", body)
}

var consentNonceRE = regexp.MustCompile(`name="nonce" value="([^"]+)"`)

// consent submits the sandbox consent page the browser is on.
func (e *flowsEnv) consent(t *testing.T, c *http.Client, page response, username, password, action string) response {
	t.Helper()
	require.Equal(t, http.StatusOK, page.status, page.body)
	m := consentNonceRE.FindStringSubmatch(page.body)
	require.NotNil(t, m, "not the consent page: %s", page.body)
	form := url.Values{"nonce": {m[1]}, "username": {username}, "password": {password}, "action": {action}}
	return do(t, c, http.MethodPost, e.sbxSrv.URL+"/auth/consent", "application/x-www-form-urlencoded", form.Encode())
}

// connectWithCode runs the whole authorization-code flow in the browser.
func (e *flowsEnv) connectWithCode(t *testing.T, username string) response {
	t.Helper()
	page := e.get(t, "/auth/start")
	res := e.consent(t, e.browser, page, username, e.password(t, username), "approve")
	require.Equal(t, http.StatusOK, res.status, res.body)
	return res
}

// login runs the password grant through /api/login.
func (e *flowsEnv) login(t *testing.T, username, password string) response {
	t.Helper()
	b, err := json.Marshal(map[string]string{"username": username, "password": password})
	require.NoError(t, err)
	return e.postJSON(t, "/api/login", string(b))
}

func (e *flowsEnv) otp(t *testing.T, code string) response {
	t.Helper()
	return e.postJSON(t, "/api/login/otp", `{"token":"`+code+`","deliveryMethod":"TOTP"}`)
}

// session returns the browser's current server-side session.
func (e *flowsEnv) session(t *testing.T) *session.Session {
	t.Helper()
	u, _ := url.Parse(e.app.URL)
	for _, c := range e.browser.Jar.Cookies(u) {
		if c.Name == e.sessions.CookieName() {
			s, err := e.store.Get(context.Background(), c.Value)
			require.NoError(t, err)
			return s
		}
	}
	t.Fatal("browser has no session cookie")
	return nil
}

func (e *flowsEnv) sessionCookie(t *testing.T) string {
	u, _ := url.Parse(e.app.URL)
	for _, c := range e.browser.Jar.Cookies(u) {
		if c.Name == e.sessions.CookieName() {
			return c.Value
		}
	}
	return ""
}

func errorCode(t *testing.T, r response) string {
	t.Helper()
	m := r.json(t)
	require.NotEmpty(t, m["message"], "error bodies carry a message: %s", r.body)
	s, _ := m["code"].(string)
	return s
}
