// Package server is the Sealbridge dev server: it hosts the demo page and
// the shim, holds every secret, and mounts the intermediary, the OAuth flows
// and scoped-token minting. With no configuration it starts the embedded
// sandbox provider on its own loopback origin. `go run ./demo` is a thin
// main around it; the e2e tests start it in-process.
package server

import (
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/sealbridge/sealbridge/demo/frame"
	"github.com/sealbridge/sealbridge/demo/internal/redact"
	"github.com/sealbridge/sealbridge/demo/oauth"
	"github.com/sealbridge/sealbridge/demo/provider"
	"github.com/sealbridge/sealbridge/demo/sandbox"
	"github.com/sealbridge/sealbridge/demo/session"
)

// Config configures the dev server. Secrets come from the environment or
// from files (FromEnv), never from code, and are never logged.
type Config struct {
	Addr        string // listen address; default 127.0.0.1:8080
	DistDir     string // where `make wasm` put the shim; default "dist"
	ProviderURL string // a real provider's base URL; empty starts the sandbox
	// AccessToken is a provider access token for server-to-provider calls.
	// With the sandbox and no token, the server gets one itself by client
	// credentials.
	AccessToken  string
	StagingToken string
	// ClientID and ClientSecret authenticate the server to the provider
	// (client credentials, password grant, authorization code).
	ClientID     string
	ClientSecret string
	// AuthStyle is how the server authenticates at the token endpoint,
	// for every grant: zero or oauth2.AuthStyleInHeader is HTTP Basic,
	// oauth2.AuthStyleInParams the form body (SEALBRIDGE_AUTH_STYLE).
	// Never auto-detection.
	AuthStyle oauth2.AuthStyle
	// Logger receives every line the server and its components write;
	// Start wraps it with the redacting handler (demo/internal/redact)
	// before any component gets it.
	Logger  *slog.Logger
	Sandbox sandbox.Config // for the embedded sandbox (tests tune TTLs and faults)
	// SandboxAddr is the embedded sandbox's listen address; empty means a
	// free loopback port.
	SandboxAddr string
	// SandboxSettings names the settings file of a sandbox running as its
	// own process (`go run ./demo sandbox`), used instead of the embedded
	// one, so that several dev servers share one provider.
	SandboxSettings string
	// OAuth configures sign-in at a real provider (oauth.FlowsConfigFromEnv);
	// nil with the sandbox means "configure it for the sandbox".
	OAuth *oauth.FlowsConfig
	// Secure says the page is reached over HTTPS (a TLS proxy in front,
	// SEALBRIDGE_SECURE=1, or TLSCertFile below): Secure __Host- cookies
	// and Strict-Transport-Security.
	Secure bool
	// TrustedProxies are the balancers in front (EnvTrustedProxies), whose
	// X-Forwarded-For names the caller for the per-address limits.
	TrustedProxies []netip.Prefix
	// TLSCertFile and TLSKeyFile (PEM) make the dev server itself serve
	// HTTPS; set both or neither. They imply Secure.
	TLSCertFile string
	TLSKeyFile  string
	// DrainTimeout is how long Shutdown lets in-flight requests finish;
	// zero means DefaultDrainTimeout.
	DrainTimeout time.Duration
	// SessionStore names where sessions live: "" or "memory" (this
	// process), or redis://[user:pass@]host:port/db / rediss://… (shared by
	// every instance pointed at it). See session.Open.
	SessionStore string
	// SessionOptions tune the store's idle timeout and lifetime (zero:
	// 2 hours idle, 8 hours in all) and the in-memory store's size (zero:
	// 10,000 sessions).
	SessionOptions session.Options
	// ProxyAllow lists the provider calls the intermediary forwards, as
	// "GET /v2/sepa/beneficiaries,PATCH /v2/sepa/beneficiaries/{id}";
	// empty means intermediary.DefaultAllow.
	ProxyAllow string
	// ProxyRequireToken makes every intermediary call carry a scoped
	// checkout token (Authorization: Bearer): without one it is refused
	// with 401 invalid_token. Whatever it says, a token that is sent must
	// be for a customer of the session's user, and a rule naming
	// {invoice} needs a token for that invoice. It needs the sandbox,
	// whose tokens the server can verify.
	ProxyRequireToken bool
	// FrameAddr is the frame origin's listen address (isolated mode's
	// second origin); empty means Addr's host with the next port.
	FrameAddr string
	// FrameAncestors are the origins that may embed the frame; empty
	// means the dev server's own origin.
	FrameAncestors []string
	// FrameProviders are the keys the frame seals to, by name; empty
	// means the provider's key as "sandbox" (or "provider"). An entry
	// with no KeyURL means the provider's key (with its own Pin).
	FrameProviders map[string]frame.Provider
}

// Environment variable names. Each secret can also be read from a file
// named by the same variable with a _FILE suffix (Docker/K8s secrets).
const (
	EnvAddr         = "SEALBRIDGE_ADDR"
	EnvProviderURL  = "SEALBRIDGE_PROVIDER_URL"
	EnvAccessToken  = "SEALBRIDGE_ACCESS_TOKEN"
	EnvStagingToken = "SEALBRIDGE_STAGING_TOKEN"
	EnvClientID     = "SEALBRIDGE_CLIENT_ID"
	EnvClientSecret = "SEALBRIDGE_CLIENT_SECRET"
	EnvDist         = "SEALBRIDGE_DIST"
	EnvProxyAllow   = "SEALBRIDGE_PROXY_ALLOW"
	// EnvProxyRequireToken is read with strconv.ParseBool: 1/0,
	// true/false; any other word is a start-up error.
	EnvProxyRequireToken = "SEALBRIDGE_PROXY_REQUIRE_TOKEN"
	EnvSecure            = "SEALBRIDGE_SECURE"
	EnvTLSCertFile       = "SEALBRIDGE_TLS_CERT_FILE"
	EnvTLSKeyFile        = "SEALBRIDGE_TLS_KEY_FILE"
	// EnvSessionStore may hold a Redis password, so it is read like a
	// secret (SEALBRIDGE_SESSION_STORE_FILE works too) and never logged.
	EnvSessionStore    = session.EnvStore
	EnvSandboxAddr     = "SEALBRIDGE_SANDBOX_ADDR"
	EnvSandboxSettings = "SEALBRIDGE_SANDBOX_SETTINGS"
	EnvAuthStyle       = provider.EnvAuthStyle
)

// FromEnv reads the configuration from the environment.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Addr:        getenv(EnvAddr),
		DistDir:     getenv(EnvDist),
		ProviderURL: strings.TrimRight(getenv(EnvProviderURL), "/"),
		ClientID:    getenv(EnvClientID),
		ProxyAllow:  getenv(EnvProxyAllow),
		TLSCertFile: getenv(EnvTLSCertFile),
		TLSKeyFile:  getenv(EnvTLSKeyFile),

		SandboxAddr:     getenv(EnvSandboxAddr),
		SandboxSettings: getenv(EnvSandboxSettings),
		FrameAddr:       getenv(frame.EnvAddr),
	}
	if c.SandboxSettings != "" && c.ProviderURL != "" {
		return Config{}, fmt.Errorf("set %s or %s, not both", EnvSandboxSettings, EnvProviderURL)
	}
	if err := c.readSwitches(getenv); err != nil {
		return Config{}, err
	}
	var err error
	if c.FrameAncestors, err = frame.ParseAncestors(getenv(frame.EnvAncestors)); err != nil {
		return Config{}, err
	}
	if c.FrameProviders, err = frame.ParseProviders(getenv(frame.EnvProviders)); err != nil {
		return Config{}, err
	}
	for _, s := range []struct {
		name string
		dst  *string
	}{
		{EnvAccessToken, &c.AccessToken},
		{EnvStagingToken, &c.StagingToken},
		{EnvClientSecret, &c.ClientSecret},
		{EnvSessionStore, &c.SessionStore},
	} {
		if *s.dst, err = secret(getenv, s.name); err != nil {
			return Config{}, err
		}
	}
	flows, ok, err := oauth.FlowsConfigFromEnv(getenv)
	if err != nil {
		return Config{}, err
	}
	if ok {
		c.OAuth = &flows
	}
	return c, nil
}

// readSwitches reads the settings that are no secret and no address: the
// yes/no switches, the auth style, the TLS pair's consistency and the
// trusted proxies.
func (c *Config) readSwitches(getenv func(string) string) error {
	var err error
	if c.Secure, err = envBool(getenv, EnvSecure); err != nil {
		return err
	}
	if c.ProxyRequireToken, err = envBool(getenv, EnvProxyRequireToken); err != nil {
		return err
	}
	if v := getenv(EnvAuthStyle); v != "" {
		if c.AuthStyle, err = provider.ParseAuthStyle(v); err != nil {
			return err
		}
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		return fmt.Errorf("set both %s and %s to serve HTTPS, or neither", EnvTLSCertFile, EnvTLSKeyFile)
	}
	c.TrustedProxies, err = ParseTrustedProxies(getenv(EnvTrustedProxies))
	return err
}

// envBool reads a yes/no variable: unset or empty is no; anything
// strconv.ParseBool does not know is an error rather than a silent no, so
// that SEALBRIDGE_SECURE=yes does not quietly leave cookies insecure.
func envBool(getenv func(string) string, name string) (bool, error) {
	v := getenv(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s=%q: use 1 or 0 (true or false)", name, v)
	}
	return b, nil
}

// secret reads NAME, or the file named by NAME_FILE. Setting both is an
// error, so that nobody wonders which one won.
func secret(getenv func(string) string, name string) (string, error) {
	v, file := getenv(name), getenv(name+"_FILE")
	if v != "" && file != "" {
		return "", fmt.Errorf("set %s or %s_FILE, not both", name, name)
	}
	if file == "" {
		return v, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		// The path is not secret; the content is never printed.
		return "", fmt.Errorf("%s_FILE: %w", name, err)
	}
	return strings.TrimSpace(string(b)), nil
}

func (c *Config) defaults() {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8080"
	}
	if c.DistDir == "" {
		c.DistDir = "dist"
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	// Every component gets this logger or one derived from it (With), so
	// none can log a token, a password or a token endpoint's body.
	c.Logger = slog.New(redact.NewHandler(c.Logger.Handler()))
	if c.TLSCertFile != "" {
		c.Secure = true
	}
	if c.DrainTimeout <= 0 {
		c.DrainTimeout = DefaultDrainTimeout
	}
}
