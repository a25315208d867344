package provider

import (
	"fmt"

	"golang.org/x/oauth2"
)

// EnvAuthStyle names how the dev server authenticates to the provider's
// token endpoint, for every grant it uses (client credentials, password,
// authorization code, refresh): "basic" (the default) or "body".
const EnvAuthStyle = "SEALBRIDGE_AUTH_STYLE"

// ParseAuthStyle reads EnvAuthStyle's value: "" or "basic" is HTTP Basic
// (RFC 6749 §2.3.1's preferred way), "body" puts client_id and
// client_secret in the form. Anything else is an error: a typo must not
// fall back to x/oauth2's auto-detection, which after a failure retries
// the request with the secret in the body.
func ParseAuthStyle(v string) (oauth2.AuthStyle, error) {
	switch v {
	case "", "basic":
		return oauth2.AuthStyleInHeader, nil
	case "body":
		return oauth2.AuthStyleInParams, nil
	}
	return 0, fmt.Errorf("%s=%q: use basic (HTTP Basic, the default) or body (client_secret in the form body)", EnvAuthStyle, v)
}

// ExplicitAuthStyle is s, or HTTP Basic for the zero value, which
// x/oauth2 reads as auto-detection: never used, so that one token request
// is one request, and the secret is sent one known way.
func ExplicitAuthStyle(s oauth2.AuthStyle) oauth2.AuthStyle {
	if s == oauth2.AuthStyleAutoDetect {
		return oauth2.AuthStyleInHeader
	}
	return s
}
