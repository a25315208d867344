// Package frame serves isolated mode's second origin: the frame page that
// holds the credential inputs and seals them with the WebAssembly module,
// so that the host page's scripts never see a typed value. The frame
// decides for itself which pages may embed it (CSP frame-ancestors) and
// which provider keys it seals to; a host page can only pick a configured
// provider by name.
package frame

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// Environment variables of the frame origin.
const (
	EnvAddr      = "SEALBRIDGE_FRAME_ADDR"      // listen address, default 127.0.0.1:8081
	EnvAncestors = "SEALBRIDGE_FRAME_ANCESTORS" // origins that may embed the frame
	EnvProviders = "SEALBRIDGE_FRAME_PROVIDERS" // "name keyURL [pin], ..."
)

// Provider is a key the frame may seal to: where to fetch it, and
// optionally the RFC 7638 thumbprint it must have.
type Provider struct {
	KeyURL string `json:"keyURL"`
	Pin    string `json:"pin,omitempty"`
}

// Config is the frame origin's trust configuration.
type Config struct {
	// Ancestors are the exact origins (scheme://host[:port]) whose pages
	// may embed the frame.
	Ancestors []string
	// Providers are the keys the frame seals to, by the name a host page
	// passes as mountSecureForm's provider.
	Providers map[string]Provider
}

// ParseAncestors reads a comma- or space-separated list of origins.
func ParseAncestors(s string) ([]string, error) {
	var out []string
	for _, o := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		if err := checkOrigin(o); err != nil {
			return nil, fmt.Errorf("%s: %w", EnvAncestors, err)
		}
		out = append(out, o)
	}
	return out, nil
}

// checkOrigin accepts exactly scheme://host[:port]: CSP and the frame's
// own check of its parent compare origins, and a path, a wildcard or a
// trailing slash would make the two disagree.
func checkOrigin(o string) error {
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.Contains(u.Host, "*") ||
		u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(o, "/") {
		return fmt.Errorf("%q is not an origin like https://shop.example.com", o)
	}
	return nil
}

// ParseProviders reads "name keyURL [pin]" entries separated by commas,
// e.g. "bank https://api.bank.example/v1/keys/e2e NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs".
// An empty s gives nil (no providers configured).
func ParseProviders(s string) (map[string]Provider, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	out := map[string]Provider{}
	for _, entry := range strings.Split(s, ",") {
		f := strings.Fields(entry)
		if len(f) == 0 {
			continue
		}
		if len(f) > 3 || len(f) < 2 {
			return nil, fmt.Errorf("%s: %q must be \"name keyURL\" or \"name keyURL pin\"", EnvProviders, strings.TrimSpace(entry))
		}
		p := Provider{KeyURL: f[1]}
		if len(f) == 3 {
			p.Pin = f[2]
		}
		if _, dup := out[f[0]]; dup {
			return nil, fmt.Errorf("%s: provider %q is listed twice", EnvProviders, f[0])
		}
		out[f[0]] = p
	}
	return out, checkProviders(out)
}

func checkProviders(ps map[string]Provider) error {
	for name, p := range ps {
		if !validName(name) {
			return fmt.Errorf("provider name %q: use letters, digits, _ and - (at most 32)", name)
		}
		u, err := url.Parse(p.KeyURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
			return fmt.Errorf("provider %s: key URL %q must be an absolute http(s) URL", name, p.KeyURL)
		}
		if p.Pin != "" && !validPin(p.Pin) {
			return fmt.Errorf("provider %s: pin must be an RFC 7638 SHA-256 thumbprint (43 base64url characters)", name)
		}
	}
	return nil
}

func validName(s string) bool { return len(s) >= 1 && len(s) <= 32 && urlSafe(s) }

// validPin: a SHA-256 thumbprint is 43 base64url characters.
func validPin(s string) bool { return len(s) == 43 && urlSafe(s) }

// urlSafe reports whether s holds only base64url characters.
func urlSafe(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// keyOrigins are the origins the frame's CSP lets it fetch keys from.
func (c Config) keyOrigins() []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range c.Providers {
		u, err := url.Parse(p.KeyURL)
		if err != nil {
			continue
		}
		o := u.Scheme + "://" + u.Host
		if !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	sort.Strings(out)
	return out
}

func (c Config) validate() error {
	if len(c.Ancestors) == 0 {
		return fmt.Errorf("frame: no ancestors: set %s to the origins of the pages that embed the frame", EnvAncestors)
	}
	for _, o := range c.Ancestors {
		if err := checkOrigin(o); err != nil {
			return fmt.Errorf("frame: ancestor %w", err)
		}
	}
	if len(c.Providers) == 0 {
		return fmt.Errorf("frame: no providers: set %s", EnvProviders)
	}
	return checkProviders(c.Providers)
}
