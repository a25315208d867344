package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/sandbox"
	"github.com/sealbridge/sealbridge/internal/redistest"
	"github.com/sealbridge/sealbridge/internal/testutil"
)

// cluster is a deployment in miniature: one real Redis, one sandbox
// provider that the dev servers share through its settings file (as with
// `go run ./demo sandbox`), and any number of dev-server instances.
type cluster struct {
	t        *testing.T
	redis    *redistest.Server
	sbx      *sandbox.Sandbox
	sbxURL   string
	clock    *testutil.Clock // the sandbox's clock only
	settings string
	sbxLogs  *testutil.Buffer
	refreshs atomic.Int64 // refresh_token grants the sandbox received
}

func newCluster(t *testing.T) *cluster {
	t.Helper()
	c := &cluster{t: t, redis: redistest.Start(t), clock: testutil.NewClock(time.Now()), sbxLogs: &testutil.Buffer{}}
	sb, err := sandbox.New(sandbox.Config{Now: c.clock.Now, Logger: slog.New(slog.NewJSONHandler(c.sbxLogs, nil))})
	require.NoError(t, err)
	c.sbx = sb
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/auth/token" {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			if strings.Contains(string(body), "grant_type=refresh_token") {
				c.refreshs.Add(1)
				// A slow provider: every other instance's calls meet
				// their 401 while this refresh is still in flight.
				time.Sleep(300 * time.Millisecond)
			}
		}
		sb.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c.sbxURL = srv.URL
	c.settings = filepath.Join(t.TempDir(), "sandbox.json")
	require.NoError(t, sandbox.WriteSettings(c.settings, sb.Settings(srv.URL)))
	return c
}

// instance starts one dev server on the cluster's Redis and sandbox.
func (c *cluster) instance() *Server {
	c.t.Helper()
	srv, err := Start(Config{
		Addr: "127.0.0.1:0", DistDir: distDir(c.t), SessionStore: c.redis.URL(), SandboxSettings: c.settings,
	})
	require.NoError(c.t, err)
	c.sbx.SetRedirectURIs(srv.URL + "/auth/callback")
	c.t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// dump is everything Redis holds, keys and values, as its operator sees it.
func (c *cluster) dump() string {
	c.t.Helper()
	rc := redis.NewClient(&redis.Options{Addr: c.redis.Addr()})
	defer rc.Close()
	ctx := context.Background()
	keys, err := rc.Keys(ctx, "*").Result()
	require.NoError(c.t, err)
	var b strings.Builder
	for _, k := range keys {
		v, err := rc.Dump(ctx, k).Result()
		require.NoError(c.t, err)
		b.WriteString(k + "\n" + v + "\n")
	}
	return b.String()
}

// browser is a cookie jar that talks to any instance of the cluster, as a
// browser behind a load balancer does: the cookie is set for 127.0.0.1,
// which every instance shares.
type browser struct {
	t  *testing.T
	hc *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &browser{t: t, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

type reply struct {
	status int
	header http.Header
	body   string
}

func (r reply) code(t *testing.T) string {
	var e apiError
	require.NoError(t, json.Unmarshal([]byte(r.body), &e), "body: %s", r.body)
	return e.Code
}

// call sends a same-origin request to srv, as the page would.
func (b *browser) call(srv *Server, method, path, body string) reply {
	b.t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(b.t, err)
	req.Header.Set("Origin", srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set(CSRFHeader, "1")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := b.hc.Do(req)
	require.NoError(b.t, err)
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	require.NoError(b.t, err)
	return reply{status: res.StatusCode, header: res.Header, body: string(out)}
}

// appSignIn signs in to the app on srv (POST /api/session).
func (b *browser) appSignIn(srv *Server) {
	b.t.Helper()
	r := b.call(srv, http.MethodPost, "/api/session", `{"user":"demo"}`)
	require.Equal(b.t, http.StatusOK, r.status, r.body)
}

// signIn signs in to the app on srv and then at the provider with the
// password grant, answering the OTP when the user has 2FA.
func (b *browser) signIn(c *cluster, srv *Server, username string) {
	b.t.Helper()
	b.appSignIn(srv)
	u, ok := c.sbx.DemoUser(username)
	require.True(b.t, ok)
	body, _ := json.Marshal(map[string]string{"username": username, "password": u.Password})
	r := b.call(srv, http.MethodPost, "/api/login", string(body))
	require.Equal(b.t, http.StatusOK, r.status, r.body)
	if u.TwoFactor {
		r = b.call(srv, http.MethodPost, "/api/login/otp", `{"token":"`+c.sbx.CurrentOTP(username)+`"}`)
		require.Equal(b.t, http.StatusOK, r.status, r.body)
	}
}
