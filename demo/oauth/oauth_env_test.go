package oauth

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestFlowsConfigFromEnv(t *testing.T) {
	_, ok, err := FlowsConfigFromEnv(envOf(nil))
	require.NoError(t, err)
	assert.False(t, ok, "nothing set: the sandbox")

	secretFile := filepath.Join(t.TempDir(), "secret")
	require.NoError(t, os.WriteFile(secretFile, []byte("test-fixture-secret\n"), 0o600))
	cfg, ok, err := FlowsConfigFromEnv(envOf(map[string]string{
		EnvTokenURL: "https://127.0.0.1:8443/oauth/token", EnvAuthURL: "https://127.0.0.1:8443/authorize",
		EnvClientID: "cid", EnvClientSecretFile: secretFile, EnvScopes: "read  write",
		EnvIssuer: "https://127.0.0.1:8443", EnvAuthStyle: "body",
	}))
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "test-fixture-secret", cfg.ClientSecret)
	assert.Equal(t, "https://127.0.0.1:8443", cfg.ProviderURL)
	assert.Equal(t, []string{"read", "write"}, cfg.Scopes)
	assert.True(t, cfg.RequireIssuer)
	assert.Equal(t, oauth2.AuthStyleInParams, cfg.AuthStyle)

	for name, env := range map[string]map[string]string{
		"secret without token url": {EnvClientSecret: "x"},
		"no client id":             {EnvTokenURL: "https://127.0.0.1/t"},
		"both secrets":             {EnvTokenURL: "https://127.0.0.1/t", EnvClientID: "c", EnvClientSecret: "x", EnvClientSecretFile: secretFile},
		"missing secret file":      {EnvTokenURL: "https://127.0.0.1/t", EnvClientID: "c", EnvClientSecretFile: filepath.Join(t.TempDir(), "nope")},
		"bad auth style":           {EnvTokenURL: "https://127.0.0.1/t", EnvClientID: "c", EnvAuthStyle: "magic"},
		"auto-detect is no style":  {EnvTokenURL: "https://127.0.0.1/t", EnvClientID: "c", EnvAuthStyle: "auto"},
		"old header value":         {EnvTokenURL: "https://127.0.0.1/t", EnvClientID: "c", EnvAuthStyle: "header"},
		"old variable name":        {EnvTokenURL: "https://127.0.0.1/t", EnvClientID: "c", envOldAuthStyle: "params"},
		"relative token url":       {EnvTokenURL: "/t", EnvClientID: "c"},
	} {
		_, _, err := FlowsConfigFromEnv(envOf(env))
		assert.Error(t, err, name)
	}
}
