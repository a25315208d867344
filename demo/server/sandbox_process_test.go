package server

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/sandbox"
)

// `go run ./demo sandbox -addr -settings` writes its settings (0600) once
// it listens, and a dev server given SEALBRIDGE_SANDBOX_SETTINGS signs in
// against it instead of starting its own.
func TestSandboxProcessSharedByTheDevServer(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sandbox.json")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var out bytes.Buffer
	go func() {
		done <- RunSandbox(ctx, []string{"-addr", "127.0.0.1:0", "-settings", file, "-origin", "http://127.0.0.1:1"}, &out, slog.New(slog.DiscardHandler))
	}()
	defer func() {
		cancel()
		assert.NoError(t, <-done, "stops cleanly when asked")
	}()
	require.Eventually(t, func() bool { _, err := os.Stat(file); return err == nil }, 10*time.Second, 20*time.Millisecond)
	info, err := os.Stat(file)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "the settings hold secrets")
	var raw map[string]any
	b, _ := os.ReadFile(file)
	require.NoError(t, json.Unmarshal(b, &raw))
	for _, k := range []string{"url", "clientId", "clientSecret", "users"} {
		assert.Contains(t, raw, k)
	}
	st, err := sandbox.ReadSettings(file)
	require.NoError(t, err)
	require.Len(t, st.Users, 2)
	assert.True(t, st.Users[1].TwoFactor)

	cfg, err := FromEnv(func(k string) string { return map[string]string{EnvSandboxSettings: file}[k] })
	require.NoError(t, err)
	cfg.Addr, cfg.DistDir = "127.0.0.1:0", distDir(t)
	srv, err := Start(cfg)
	require.NoError(t, err)
	defer srv.Close()
	assert.Nil(t, srv.Sandbox, "no embedded sandbox")
	assert.Equal(t, st.URL, srv.ProviderURL)

	b2 := newBrowser(t)
	b2.appSignIn(srv)
	body, _ := json.Marshal(map[string]string{"username": st.Users[0].Username, "password": st.Users[0].Password})
	r := b2.call(srv, http.MethodPost, "/api/login", string(body))
	assert.Equal(t, http.StatusOK, r.status, "signs in at the shared sandbox: %s", r.body)
	r = b2.call(srv, http.MethodGet, "/api/config", "")
	assert.Contains(t, r.body, `"sandbox":true`)
}

// SEALBRIDGE_SANDBOX_ADDR fixes the embedded sandbox's address.
func TestEmbeddedSandboxAddr(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	cfg, err := FromEnv(func(k string) string { return map[string]string{EnvSandboxAddr: addr}[k] })
	require.NoError(t, err)
	cfg.Addr, cfg.DistDir = "127.0.0.1:0", distDir(t)
	srv, err := Start(cfg)
	require.NoError(t, err)
	defer srv.Close()
	assert.Equal(t, "http://"+addr, srv.ProviderURL)
}

func TestSandboxSettingsAndProviderURLExcludeEachOther(t *testing.T) {
	_, err := FromEnv(func(k string) string {
		return map[string]string{EnvSandboxSettings: "/x.json", EnvProviderURL: "http://127.0.0.1:1"}[k]
	})
	assert.ErrorContains(t, err, "not both")
}
