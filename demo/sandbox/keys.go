package sandbox

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// KeyPath serves the end-to-end encryption public key (Powens-style): a
// single JWK, or a JWKS with ?format=jwks.
const KeyPath = "/v1/keys/e2e"

// KeysConfig configures the end-to-end encryption key and the fields that
// must arrive sealed with it.
type KeysConfig struct {
	// Bits is the RSA modulus size; 0 means 2048. Less than 2048 is refused.
	Bits int
	// Grace is how long a rotated-out key still decrypts when RotateKey is
	// given a negative grace; 0 means 10 minutes.
	Grace time.Duration
	// AllowedOrigins are the page origins ("https://host:port") that may read
	// the key cross-origin. "*" is refused: the key is public, but the
	// sandbox should behave like a provider that lists its integrators.
	AllowedOrigins []string
	// Sensitive names the connector fields that must be sealed; nil means
	// ["login", "password"], an empty non-nil slice means none.
	Sensitive []string
}

// KeyFault makes the key endpoint misbehave. It is test-only fault
// injection, so that the shim's handling of a broken provider can be
// exercised end to end; the demo never sets it.
type KeyFault int

// The faults SetKeyFault accepts.
const (
	KeyOK        KeyFault = iota // serve the real key
	KeyHTTP500                   // 500 with a JSON error body
	KeyHTML                      // 200 text/html, as a captive portal or maintenance page would
	KeyWeak1024                  // a well-formed JWK whose modulus is only 1024 bits
	KeyTruncated                 // 200 application/json cut in the middle
	KeyHang                      // hold the request until the client gives up (or the fault is lifted: 503)
	KeyForeign                   // a sound 2048-bit key the provider never decrypts with: every field sealed with it is refused with unknown_kid
	KeyNoCORS                    // the real key, without Access-Control-Allow-Origin: a browser page on another origin cannot read it
)

// ringKey is one private key of the ring. until is when a rotated-out key
// stops decrypting; it is zero for the current key.
type ringKey struct {
	kid   string
	priv  *rsa.PrivateKey
	until time.Time
}

// keyRing holds the current key and the rotated-out keys still in grace.
type keyRing struct {
	bits    int
	grace   time.Duration
	origins map[string]bool
	now     func() time.Time

	mu       sync.Mutex
	current  ringKey
	previous []ringKey
	fetches  int
	fault    KeyFault
	release  chan struct{}    // closed when KeyHang is lifted, to free hung requests
	weak     *jose.JSONWebKey // built on first use of KeyWeak1024
	foreign  *jose.JSONWebKey // built on first use of KeyForeign
}

func (s *Sandbox) mountKeys() error {
	cfg := s.cfg.Keys
	if cfg.Bits == 0 {
		cfg.Bits = 2048
	}
	if cfg.Bits < 2048 {
		return fmt.Errorf("sandbox: Keys.Bits is %d; use at least 2048", cfg.Bits)
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 10 * time.Minute
	}
	origins := map[string]bool{}
	for _, o := range cfg.AllowedOrigins {
		if err := checkOrigin(o); err != nil {
			return err
		}
		origins[o] = true
	}
	// The first key is generated on first use (see currentKey): a sandbox
	// that never serves or opens a JWE, as most of the tests' are, pays
	// nothing for it.
	s.keys = &keyRing{bits: cfg.Bits, grace: cfg.Grace, origins: origins, now: s.now}
	s.mux.HandleFunc("GET "+KeyPath, s.handleKey)
	s.mux.HandleFunc("OPTIONS "+KeyPath, s.handleKeyPreflight)
	return nil
}

// checkOrigin accepts a bare serialized origin: scheme, host, optional port.
func checkOrigin(o string) error {
	u, err := url.Parse(o)
	if o == "*" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.HasSuffix(o, "/") {
		return fmt.Errorf("sandbox: Keys.AllowedOrigins: %q is not an origin like https://host:port", o)
	}
	return nil
}

// newRingKey generates a key with a random kid.
func newRingKey(bits int) (ringKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return ringKey{}, fmt.Errorf("sandbox: generate e2e key: %w", err)
	}
	return ringKey{kid: freshKid(nil), priv: priv}, nil
}

// freshKid returns "sbx-" and 8 random hex digits, not among taken.
func freshKid(taken func(string) bool) string {
	for {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		kid := "sbx-" + hex.EncodeToString(b)
		if taken == nil || !taken(kid) {
			return kid
		}
	}
}

// RotateKey makes a new current key and returns its kid. The key it
// replaces still decrypts for grace (0: it is dropped at once; negative:
// KeysConfig.Grace). Keys rotated out earlier keep their own deadlines.
func (s *Sandbox) RotateKey(grace time.Duration) (newKid string, err error) {
	r := s.keys
	// Generate outside the lock: it takes a while and requests keep flowing.
	k, err := newRingKey(r.bits)
	if err != nil {
		return "", err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.known(k.kid) { // vanishingly rare; keep kids unique anyway
		k.kid = freshKid(r.known)
	}
	if grace < 0 {
		grace = r.grace
	}
	old := r.current
	r.current = k
	if grace > 0 && old.priv != nil { // nothing to keep if no key was made yet
		old.until = r.now().Add(grace)
		r.previous = append(r.previous, old)
	}
	r.prune()
	s.log.Info("sandbox: e2e key rotated", "kid", k.kid, "previous", old.kid, "grace", grace)
	return k.kid, nil
}

// KeyID returns the kid of the current key.
func (s *Sandbox) KeyID() string {
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	k, _ := s.keys.currentKey() // crypto/rand does not fail
	return k.kid
}

// currentKey returns the current key, generating the first one on first
// use: a request that needs it waits for the generation (tens of
// milliseconds) once. Caller holds mu.
func (r *keyRing) currentKey() (ringKey, error) {
	if r.current.priv == nil {
		k, err := newRingKey(r.bits)
		if err != nil {
			return ringKey{}, err
		}
		r.current = k
	}
	return r.current, nil
}

// KeyFetches counts GET requests to KeyPath, every format and fault included.
func (s *Sandbox) KeyFetches() int {
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	return s.keys.fetches
}

// SetKeyFault makes the key endpoint misbehave until set back to KeyOK.
// Test-only fault injection; see KeyFault. Leaving KeyHang also frees the
// requests it holds, so that a server can shut down.
func (s *Sandbox) SetKeyFault(f KeyFault) {
	r := s.keys
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fault = f
	if f == KeyHang && r.release == nil {
		r.release = make(chan struct{})
	}
	if f != KeyHang && r.release != nil {
		close(r.release)
		r.release = nil
	}
}

// known reports whether kid is in the ring, expired or not. Caller holds mu.
func (r *keyRing) known(kid string) bool {
	return (r.current.priv != nil && kid == r.current.kid) || slices.ContainsFunc(r.previous, func(k ringKey) bool { return k.kid == kid })
}

// prune drops rotated-out keys whose grace has passed. Caller holds mu.
func (r *keyRing) prune() {
	now := r.now()
	r.previous = slices.DeleteFunc(r.previous, func(k ringKey) bool { return !now.Before(k.until) })
}

// lookup returns the private key for kid if it is current or still in grace.
func (r *keyRing) lookup(kid string) (*rsa.PrivateKey, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.prune()
	if r.current.priv != nil && kid == r.current.kid {
		return r.current.priv, true
	}
	for _, k := range r.previous {
		if k.kid == kid {
			return k.priv, true
		}
	}
	return nil, false
}

// publicJWK is the public half of k with exactly kty, kid, use, alg, n, e.
func publicJWK(k ringKey) jose.JSONWebKey {
	return jose.JSONWebKey{Key: &k.priv.PublicKey, KeyID: k.kid, Use: "enc", Algorithm: string(jose.RSA_OAEP_256)}
}

// keyView is what the key endpoint serves for one request.
type keyView struct {
	keys    []jose.JSONWebKey // current first, then rotated-out keys newest first
	fault   KeyFault
	release <-chan struct{} // for KeyHang
}

// snapshot counts a fetch and returns what to serve.
func (r *keyRing) snapshot() (keyView, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fetches++
	r.prune()
	v := keyView{fault: r.fault, release: r.release}
	switch r.fault {
	case KeyWeak1024: // 1024 bits is the smallest size crypto/rsa still generates
		return v, r.outsider(&r.weak, 1024, &v)
	case KeyForeign:
		return v, r.outsider(&r.foreign, r.bits, &v)
	}
	current, err := r.currentKey()
	if err != nil {
		return v, err
	}
	v.keys = []jose.JSONWebKey{publicJWK(current)}
	for i := len(r.previous) - 1; i >= 0; i-- {
		v.keys = append(v.keys, publicJWK(r.previous[i]))
	}
	return v, nil
}

// outsider serves a key the ring never decrypts with, generated on first
// use and kept in *slot. Caller holds mu.
func (r *keyRing) outsider(slot **jose.JSONWebKey, bits int, v *keyView) error {
	if *slot == nil {
		k, err := newRingKey(bits)
		if err != nil {
			return err
		}
		k.kid = freshKid(r.known)
		jwk := publicJWK(k)
		*slot = &jwk
	}
	v.keys = []jose.JSONWebKey{**slot}
	return nil
}

// handleKey serves GET KeyPath: the current public key as a JWK, or with
// ?format=jwks every key that still decrypts.
func (s *Sandbox) handleKey(w http.ResponseWriter, r *http.Request) {
	kv, err := s.keys.snapshot()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "key generation failed")
		return
	}
	if kv.fault != KeyNoCORS {
		s.keys.cors(w, r)
	}
	keys, fault := kv.keys, kv.fault
	var v any = keys[0]
	switch f := r.URL.Query().Get("format"); f {
	case "", "jwk":
	case "jwks":
		v = jose.JSONWebKeySet{Keys: keys}
	default:
		writeError(w, http.StatusBadRequest, "invalid_request", `format must be "jwk" (the default) or "jwks"`)
		return
	}
	s.log.Info("sandbox: e2e key fetched", "kid", keys[0].KeyID, "fault", int(fault))
	switch fault {
	case KeyHTTP500:
		writeError(w, http.StatusInternalServerError, "internal", "key service unavailable (injected fault)")
	case KeyHTML:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("<!doctype html><html><body><h1>Maintenance</h1></body></html>\n"))
	case KeyTruncated:
		b, _ := json.Marshal(v)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b[:len(b)/2])
	case KeyHang:
		select { // hold the request: the client's timeout is what is under test
		case <-r.Context().Done():
		case <-kv.release:
			writeError(w, http.StatusServiceUnavailable, "unavailable", "key request was held by an injected fault, now lifted; retry")
		}
	default: // KeyOK, KeyWeak1024, KeyForeign, KeyNoCORS
		writeJSON(w, http.StatusOK, v)
	}
}

// handleKeyPreflight answers a CORS preflight, should a page send one.
func (s *Sandbox) handleKeyPreflight(w http.ResponseWriter, r *http.Request) {
	if s.keys.cors(w, r) {
		w.Header().Set("Access-Control-Allow-Methods", "GET")
		w.Header().Set("Access-Control-Max-Age", "600")
	}
	w.WriteHeader(http.StatusNoContent)
}

// cors allows the request's Origin to read the answer if it is listed.
func (r *keyRing) cors(w http.ResponseWriter, req *http.Request) bool {
	w.Header().Add("Vary", "Origin")
	o := req.Header.Get("Origin")
	if o == "" || !r.origins[o] {
		return false
	}
	w.Header().Set("Access-Control-Allow-Origin", o)
	return true
}
