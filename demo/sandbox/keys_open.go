package sandbox

// Opening what the connection endpoint receives: the sealed fields, with
// go-jose and an explicit algorithm allowlist.

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/sealbridge/sealbridge/internal/strictjson"
)

// Errors from open. Their messages never hold the sealed value.
var (
	errNotJWE     = errors.New("not a compact JWE")
	errInvalidJWE = errors.New("invalid JWE")
	errUnknownKid = errors.New("unknown kid")
)

// allowedJWEHeader lists the protected header members open accepts: the
// three the shim writes, plus the two harmless type hints.
var allowedJWEHeader = map[string]bool{"alg": true, "enc": true, "kid": true, "typ": true, "cty": true}

// open decrypts a compact JWE sealed to a key of the ring. The error is
// errNotJWE, errUnknownKid or wraps errInvalidJWE with a reason.
func (r *keyRing) open(v string) ([]byte, error) {
	if !looksCompactJWE(v) {
		if looksJSONJWE(v) {
			return nil, fmt.Errorf("%w: JSON serialization is not accepted; send the compact form", errInvalidJWE)
		}
		return nil, errNotJWE
	}
	header, err := jweHeader(v)
	if err != nil {
		return nil, err
	}
	// The allowlist is the whole point: no RSA1_5, no dir, no PBES2.
	obj, err := jose.ParseEncryptedCompact(v, []jose.KeyAlgorithm{jose.RSA_OAEP_256}, []jose.ContentEncryption{jose.A256GCM})
	if err != nil {
		return nil, fmt.Errorf("%w: want alg RSA-OAEP-256 and enc A256GCM in compact form", errInvalidJWE)
	}
	var kid string
	if err := json.Unmarshal(header["kid"], &kid); err != nil || kid == "" || kid != obj.Header.KeyID {
		return nil, fmt.Errorf("%w: the protected header must carry the key's kid", errInvalidJWE)
	}
	priv, ok := r.lookup(kid)
	if !ok {
		return nil, errUnknownKid
	}
	plain, err := obj.Decrypt(priv)
	if err != nil {
		return nil, fmt.Errorf("%w: decryption failed", errInvalidJWE)
	}
	return plain, nil
}

// jweHeader decodes the protected header and refuses members the shim
// never writes: zip (decompression bombs, and the design forbids it), crit,
// and any key or key URL offered by the sender.
func jweHeader(v string) (strictjson.Members, error) {
	seg, _, _ := strings.Cut(v, ".")
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return nil, fmt.Errorf("%w: protected header is not base64url", errInvalidJWE)
	}
	h, err := strictjson.DecodeObject(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: protected header is not a JSON object without duplicates", errInvalidJWE)
	}
	var extra []string
	for name := range h {
		if !allowedJWEHeader[name] {
			extra = append(extra, name)
		}
	}
	if len(extra) > 0 {
		slices.Sort(extra)
		return nil, fmt.Errorf("%w: protected header has unexpected members %q", errInvalidJWE, extra)
	}
	return h, nil
}

// looksCompactJWE reports whether v has the shape of a compact JWE: five
// base64url segments, the first (the header) not empty.
func looksCompactJWE(v string) bool {
	if strings.Count(v, ".") != 4 || strings.HasPrefix(v, ".") {
		return false
	}
	for _, c := range []byte(v) {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}

// looksJSONJWE reports whether v is a JWE in JSON serialization.
func looksJSONJWE(v string) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal([]byte(v), &m) != nil {
		return false
	}
	_, ok := m["ciphertext"]
	return ok
}
