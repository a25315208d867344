package oauth

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/sealbridge/sealbridge/demo/provider"
)

// Environment variables that point Flows at a real provider instead of the
// embedded sandbox.
const (
	EnvAuthURL          = "SEALBRIDGE_OAUTH_AUTH_URL"           // authorization endpoint; unset: password grant only
	EnvTokenURL         = "SEALBRIDGE_OAUTH_TOKEN_URL"          // token endpoint; unset: use the sandbox
	EnvRevokeURL        = "SEALBRIDGE_OAUTH_REVOKE_URL"         // RFC 7009 revocation endpoint; unset: sign-out revokes nothing at the provider
	EnvClientID         = "SEALBRIDGE_OAUTH_CLIENT_ID"          // required with TOKEN_URL
	EnvClientSecret     = "SEALBRIDGE_OAUTH_CLIENT_SECRET"      // or:
	EnvClientSecretFile = "SEALBRIDGE_OAUTH_CLIENT_SECRET_FILE" // a file holding it (keeps it out of `ps` and shell history)
	EnvRedirectURL      = "SEALBRIDGE_OAUTH_REDIRECT_URL"       // this server's /auth/callback as registered; unset: the dev server's own
	EnvProviderURL      = "SEALBRIDGE_OAUTH_PROVIDER_URL"       // API base for /auth/context etc.; unset: TOKEN_URL's origin
	EnvIssuer           = "SEALBRIDGE_OAUTH_ISSUER"             // expected iss (RFC 9207); set it to also require iss
	EnvScopes           = "SEALBRIDGE_OAUTH_SCOPES"             // space-separated
	EnvAuthStyle        = provider.EnvAuthStyle                 // "basic" (default, HTTP Basic) or "body" (client_secret in the form body); shared with client credentials
	envOldAuthStyle     = "SEALBRIDGE_OAUTH_AUTH_STYLE"         // renamed: refused, so that it is not silently ignored
)

// FlowsConfigFromEnv reads the provider settings above with getenv (pass
// os.Getenv). ok is false when EnvTokenURL is unset: run against the
// sandbox. The caller still sets Sessions, Logger, HTTPClient, Now and,
// when EnvRedirectURL is unset, RedirectURL.
func FlowsConfigFromEnv(getenv func(string) string) (cfg FlowsConfig, ok bool, err error) {
	if getenv(envOldAuthStyle) != "" {
		return FlowsConfig{}, false, errors.New("oauth: " + envOldAuthStyle + " is now " + EnvAuthStyle + " (basic or body), and applies to every grant")
	}
	cfg.TokenURL = getenv(EnvTokenURL)
	if cfg.TokenURL == "" {
		for _, k := range []string{EnvAuthURL, EnvRevokeURL, EnvClientID, EnvClientSecret, EnvClientSecretFile, EnvProviderURL} {
			if getenv(k) != "" {
				return FlowsConfig{}, false, fmt.Errorf("oauth: %s is set but %s is not", k, EnvTokenURL)
			}
		}
		return FlowsConfig{}, false, nil
	}
	cfg.AuthURL = getenv(EnvAuthURL)
	cfg.RevokeURL = getenv(EnvRevokeURL)
	cfg.ClientID = getenv(EnvClientID)
	cfg.RedirectURL = getenv(EnvRedirectURL)
	cfg.ProviderURL = getenv(EnvProviderURL)
	cfg.Issuer = getenv(EnvIssuer)
	cfg.RequireIssuer = cfg.Issuer != ""
	cfg.Scopes = strings.Fields(getenv(EnvScopes))
	if cfg.ClientID == "" {
		return FlowsConfig{}, false, errors.New("oauth: " + EnvClientID + " is required with " + EnvTokenURL)
	}
	secret, file := getenv(EnvClientSecret), getenv(EnvClientSecretFile)
	switch {
	case secret != "" && file != "":
		return FlowsConfig{}, false, errors.New("oauth: set " + EnvClientSecret + " or " + EnvClientSecretFile + ", not both")
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			// The path is not secret; the error names it so it can be fixed.
			return FlowsConfig{}, false, fmt.Errorf("oauth: reading %s: %w", EnvClientSecretFile, err)
		}
		secret = strings.TrimRight(string(b), "\r\n")
	}
	cfg.ClientSecret = secret
	if cfg.AuthStyle, err = provider.ParseAuthStyle(getenv(EnvAuthStyle)); err != nil {
		return FlowsConfig{}, false, fmt.Errorf("oauth: %w", err)
	}
	if cfg.ProviderURL == "" {
		u, err := url.Parse(cfg.TokenURL)
		if err != nil || u.Host == "" {
			return FlowsConfig{}, false, errors.New("oauth: " + EnvTokenURL + " must be an absolute URL")
		}
		cfg.ProviderURL = u.Scheme + "://" + u.Host
	}
	return cfg, true, nil
}
