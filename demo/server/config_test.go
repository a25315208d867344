package server

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/sealbridge/sealbridge/demo/intermediary"
	"github.com/sealbridge/sealbridge/demo/provider"
)

func envFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestFromEnvReadsVariables(t *testing.T) {
	c, err := FromEnv(envFrom(map[string]string{
		EnvAddr:         "127.0.0.1:9999",
		EnvDist:         "/srv/dist",
		EnvProviderURL:  "https://provider.test/api//",
		EnvClientID:     "cid",
		EnvClientSecret: "cs-from-env",
		EnvAccessToken:  "at-from-env",
		EnvStagingToken: "st-from-env",
	}))
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:9999", c.Addr)
	assert.Equal(t, "/srv/dist", c.DistDir)
	assert.Equal(t, "https://provider.test/api", c.ProviderURL, "trailing slashes are dropped so that paths join cleanly")
	assert.Equal(t, "cid", c.ClientID)
	assert.Equal(t, "cs-from-env", c.ClientSecret)
	assert.Equal(t, "at-from-env", c.AccessToken)
	assert.Equal(t, "st-from-env", c.StagingToken)
}

func TestFromEnvEmpty(t *testing.T) {
	c, err := FromEnv(envFrom(nil))
	require.NoError(t, err)
	assert.Equal(t, Config{}, c, "nothing set: the zero config, which starts the sandbox")
}

// Each secret can come from a file (Docker/Kubernetes secrets); the
// trailing newline such files usually end with is not part of it.
func TestFromEnvReadsSecretFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	c, err := FromEnv(envFrom(map[string]string{
		EnvClientSecret + "_FILE": write("cs", "cs-from-file\n"),
		EnvAccessToken + "_FILE":  write("at", "  at-from-file\r\n"),
		EnvStagingToken + "_FILE": write("st", "st-from-file"),
	}))
	require.NoError(t, err)
	assert.Equal(t, "cs-from-file", c.ClientSecret)
	assert.Equal(t, "at-from-file", c.AccessToken)
	assert.Equal(t, "st-from-file", c.StagingToken)
}

func TestFromEnvBothValueAndFileIsAnError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cs")
	require.NoError(t, os.WriteFile(file, []byte("cs-from-file"), 0o600))
	for _, name := range []string{EnvClientSecret, EnvAccessToken, EnvStagingToken} {
		t.Run(name, func(t *testing.T) {
			_, err := FromEnv(envFrom(map[string]string{name: "value-from-env", name + "_FILE": file}))
			require.Error(t, err)
			msg := err.Error()
			assert.Contains(t, msg, name)
			assert.Contains(t, msg, name+"_FILE")
			assert.NotContains(t, msg, "value-from-env", "the error never shows a secret")
			assert.NotContains(t, msg, "cs-from-file", "the error never shows a secret")
		})
	}
}

func TestFromEnvUnreadableFile(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	require.NoError(t, os.WriteFile(secretFile, []byte("TOPSECRET-CONTENT"), 0o600))
	for name, path := range map[string]string{
		"missing":       filepath.Join(dir, "nope"),
		"directory":     dir,
		"file as a dir": secretFile + "/",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := FromEnv(envFrom(map[string]string{
				EnvClientSecret + "_FILE": path,
				EnvAccessToken:            "at-from-env",
			}))
			require.Error(t, err)
			msg := err.Error()
			assert.Contains(t, msg, EnvClientSecret+"_FILE", "the error names the variable to fix")
			assert.NotContains(t, msg, "TOPSECRET")
			assert.NotContains(t, msg, "at-from-env")
		})
	}
}

func TestFromEnvSecureAndTLS(t *testing.T) {
	for _, v := range []string{"1", "true", "TRUE"} {
		c, err := FromEnv(envFrom(map[string]string{EnvSecure: v}))
		require.NoError(t, err)
		assert.True(t, c.Secure, "%s=%s", EnvSecure, v)
	}
	c, err := FromEnv(envFrom(map[string]string{EnvSecure: "0"}))
	require.NoError(t, err)
	assert.False(t, c.Secure)

	_, err = FromEnv(envFrom(map[string]string{EnvSecure: "yes"}))
	require.ErrorContains(t, err, EnvSecure, "an unknown word is an error, not a silent no")

	c, err = FromEnv(envFrom(map[string]string{EnvTLSCertFile: "/c.pem", EnvTLSKeyFile: "/k.pem"}))
	require.NoError(t, err)
	assert.Equal(t, "/c.pem", c.TLSCertFile)
	assert.Equal(t, "/k.pem", c.TLSKeyFile)
	c.defaults()
	assert.True(t, c.Secure, "serving HTTPS itself implies Secure")

	_, err = FromEnv(envFrom(map[string]string{EnvTLSKeyFile: "/k.pem"}))
	require.ErrorContains(t, err, EnvTLSCertFile, "a key without a certificate")
}

// Shutting down waits for the slowest call a request can be making, so a
// deploy never cuts off a call that was going to succeed.
func TestDrainOutlastsUpstreamTimeouts(t *testing.T) {
	assert.Greater(t, DefaultDrainTimeout, provider.DefaultTimeout)
	assert.Greater(t, DefaultDrainTimeout, intermediary.DefaultTimeout)
	var c Config
	c.defaults()
	assert.Equal(t, DefaultDrainTimeout, c.DrainTimeout)
}

// SEALBRIDGE_AUTH_STYLE: basic (the zero value, HTTP Basic) or body; any
// other value stops the server rather than fall back to auto-detection.
func TestFromEnvAuthStyle(t *testing.T) {
	for v, want := range map[string]oauth2.AuthStyle{"": 0, "basic": oauth2.AuthStyleInHeader, "body": oauth2.AuthStyleInParams} {
		c, err := FromEnv(envFrom(map[string]string{EnvAuthStyle: v}))
		require.NoError(t, err, v)
		assert.Equal(t, want, c.AuthStyle, v)
	}
	for _, v := range []string{"Basic", "header", "params", "auto", "autodetect", " basic"} {
		_, err := FromEnv(envFrom(map[string]string{EnvAuthStyle: v}))
		if assert.Error(t, err, v) {
			assert.Contains(t, err.Error(), EnvAuthStyle)
			assert.Contains(t, err.Error(), "basic")
		}
	}
}
