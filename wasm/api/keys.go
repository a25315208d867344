package api

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sealbridge/sealbridge/internal/strictjson"
	"github.com/sealbridge/sealbridge/wasm/client"
	"github.com/sealbridge/sealbridge/wasm/sberr"
	"github.com/sealbridge/sealbridge/wasm/seal"
)

// Key limits: a JWKS is small; anything larger is not a key endpoint.
const (
	maxKeyDocument    = 64 << 10
	DefaultKeyTimeout = 10 * time.Second
)

// KeyHandle is what JavaScript holds for an imported key: enough to find
// it in the cache and to show it, nothing secret (it is a public key).
type KeyHandle struct {
	Kid        string
	Thumbprint string
	Bits       int
}

// FetchOptions are fetchKey's options.
type FetchOptions struct {
	Pin     string        // RFC 7638 thumbprint the key must have
	Kid     string        // pick this kid from a JWKS
	Timeout time.Duration // 0: DefaultKeyTimeout
}

// FetchKey gets the provider's public key (a JWK or a JWKS) from url,
// validates it and caches it by kid. Any failure to get a usable document
// is key_unavailable; a document that is a bad key is key_invalid.
func (s *Shim) FetchKey(ctx context.Context, url string, o FetchOptions) (KeyHandle, error) {
	if url == "" {
		return KeyHandle{}, sberr.New(sberr.InvalidArgument, "fetchKey needs the URL of the provider's key endpoint")
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultKeyTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res, err := s.transport.RoundTrip(ctx, &client.Request{
		Method:  "GET",
		URL:     url,
		Headers: map[string]string{"accept": "application/jwk+json, application/jwk-set+json, application/json"},
	})
	if err != nil {
		return KeyHandle{}, keyUnavailable(url, err)
	}
	if err := checkKeyResponse(res); err != nil {
		return KeyHandle{}, sberr.Wrap(err, sberr.KeyUnavailable, "key endpoint %s: %v", url, err)
	}
	h, err := s.ImportKey(res.Body, seal.ImportOptions{Pin: o.Pin, Kid: o.Kid})
	if err == nil {
		s.sources.put(h.Thumbprint, keySource{url: url, pin: o.Pin})
	}
	return h, err
}

// ImportKey validates a JWK or JWKS given as JSON and caches it.
func (s *Shim) ImportKey(doc []byte, o seal.ImportOptions) (KeyHandle, error) {
	k, err := seal.ImportKey(doc, o, s.crypto)
	if err != nil {
		return KeyHandle{}, err
	}
	s.keys.Put(k)
	return KeyHandle{Kid: k.Kid(), Thumbprint: k.Thumbprint(), Bits: k.Bits()}, nil
}

// key finds a cached key by its handle. The thumbprint must match too, so
// that a handle never silently seals with another key that took its kid.
func (s *Shim) key(h KeyHandle) (*seal.Key, error) {
	k, ok := s.keys.Get(h.Kid)
	if !ok || (h.Thumbprint != "" && k.Thumbprint() != h.Thumbprint) {
		return nil, sberr.New(sberr.InvalidArgument, "unknown key %q: pass a key returned by fetchKey or importKey", h.Kid)
	}
	return k, nil
}

func keyUnavailable(url string, err error) error {
	e := sberr.As(err)
	// errors.Is also catches a Transport that returns ctx.Err() as is.
	if e.Code == sberr.Timeout || errors.Is(err, context.DeadlineExceeded) {
		return sberr.Wrap(err, sberr.KeyUnavailable, "key endpoint %s did not answer in time; check that it is up", url)
	}
	return sberr.Wrap(err, sberr.KeyUnavailable, "could not reach key endpoint %s (%s); check the URL and that it allows this origin (CORS)", url, e.Message)
}

// checkKeyResponse refuses what cannot be a key document: a non-2xx status,
// an HTML error page, an empty or oversized body.
func checkKeyResponse(res *client.Response) error {
	if res.Status < 200 || res.Status > 299 {
		return fmt.Errorf("answered HTTP %d, not a key", res.Status)
	}
	if ct := res.Headers["content-type"]; ct != "" && !jsonMediaType(ct) {
		return fmt.Errorf("answered %q, not JSON", ct)
	}
	if len(res.Body) == 0 {
		return fmt.Errorf("answered an empty body")
	}
	if len(res.Body) > maxKeyDocument {
		return fmt.Errorf("answered %d bytes, more than a key set can be", len(res.Body))
	}
	// Only what is no JSON at all is refused here; JSON that breaks the
	// stricter rules gets ImportKey's own message, which names the rule.
	if err := (strictjson.Limits{MaxBytes: len(res.Body)}).Validate(res.Body); strictjson.NotJSON(err) {
		return fmt.Errorf("answered a body that is not valid JSON (truncated?)")
	}
	return nil
}

// jsonMediaType reports whether a Content-Type names one of the JSON types
// a key endpoint serves, with well-formed name=value parameters. The body
// is parsed as strict JSON afterwards whatever the parameters say, so this
// check does not need package mime, which with bufio is about 40 KB of the
// module.
func jsonMediaType(ct string) bool {
	parts := strings.Split(ct, ";")
	for _, p := range parts[1:] {
		name, _, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || name == "" {
			return false
		}
	}
	switch strings.ToLower(strings.TrimSpace(parts[0])) {
	case "application/json", "application/jwk+json", "application/jwk-set+json":
		return true
	}
	return false
}
