package seal

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sealbridge/sealbridge/internal/strictjson"
	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// maxKeyDocument bounds the JWK/JWKS text. Real key sets are a few KiB.
const maxKeyDocument = 256 << 10

// ImportOptions tunes ImportKey.
type ImportOptions struct {
	// Pin is an optional RFC 7638 SHA-256 thumbprint (base64url, no
	// padding). When set, the chosen key must have it, else the import
	// fails with sberr.KeyPinMismatch.
	Pin string
	// Kid optionally names the key to take from a JWKS. With a single JWK
	// it must match that key's kid.
	Kid string
}

// ImportKey parses a JWK or a JWKS ({"keys":[...]}) and validates it.
//
// From a JWKS it takes the key named by opts.Kid; without a kid, the single
// key that passes validation; and when several pass, the one whose
// thumbprint is opts.Pin. Every failure is sberr.KeyInvalid, except a pin
// that does not match (sberr.KeyPinMismatch) and a malformed pin
// (sberr.InvalidArgument), and whatever c returns when it cannot import
// the chosen key (sberr.InsecureContext in a page without crypto.subtle).
// Nothing is ever fetched, and nothing is sealed.
func ImportKey(data []byte, opts ImportOptions, c Crypto) (*Key, error) {
	if c == nil {
		return nil, sberr.New(sberr.Internal, "no cryptography to import the key into; this is a bug in Sealbridge's set-up")
	}
	if opts.Pin != "" && !validThumbprint(opts.Pin) {
		return nil, sberr.New(sberr.InvalidArgument, "pin %q is not an RFC 7638 SHA-256 thumbprint; it must be 43 base64url characters", abbreviate(opts.Pin))
	}
	if len(data) > maxKeyDocument {
		return nil, invalid("key document is %d bytes; a JWK or JWKS may be at most %d bytes", len(data), maxKeyDocument)
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, invalid("key document is empty; the key endpoint must return a JWK or a JWKS")
	}
	top, err := strictjson.DecodeObject(data)
	if err != nil {
		return nil, objectError(err, "key document")
	}
	_, hasKeys := top["keys"]
	_, hasKty := top["kty"]
	var k *Key
	switch {
	case hasKeys && hasKty:
		return nil, invalid(`key document has both "keys" and "kty"; send either a JWK or a JWKS ({"keys":[...]})`)
	case hasKeys:
		k, err = fromSet(top["keys"], opts, c)
	default:
		k, err = fromJWK(top, opts, c)
	}
	if err != nil {
		return nil, err
	}
	if opts.Pin != "" && k.thumbprint != opts.Pin {
		return nil, pinMismatch(k, opts.Pin)
	}
	if err := k.use(c); err != nil {
		return nil, err
	}
	return k, nil
}

func fromJWK(m strictjson.Members, opts ImportOptions, c Crypto) (*Key, error) {
	k, err := parseJWK(m, c)
	if err != nil {
		return nil, err
	}
	if opts.Kid != "" && k.kid != opts.Kid {
		return nil, invalid("the key has kid %q, not the requested %q; ask for the kid the key endpoint serves", abbreviate(k.kid), abbreviate(opts.Kid))
	}
	return k, nil
}

// candidate is one member of a JWKS.
type candidate struct {
	label   string // `key "kid"` or `keys[i]`, for messages
	kid     string
	members strictjson.Members
}

func fromSet(raw []byte, opts ImportOptions, c Crypto) (*Key, error) {
	cands, byKid, err := setCandidates(raw)
	if err != nil {
		return nil, err
	}
	if opts.Kid != "" {
		i, ok := byKid[opts.Kid]
		if !ok {
			return nil, invalid("the JWKS has no key with kid %q (it has %s); ask for a kid the key endpoint serves", abbreviate(opts.Kid), listKids(cands))
		}
		k, err := parseJWK(cands[i].members, c)
		if err != nil {
			return nil, prefixed(cands[i].label, err)
		}
		return k, nil
	}
	usable, err := usableKeys(cands, c)
	if err != nil {
		return nil, err
	}
	if len(usable) == 1 {
		return usable[0], nil
	}
	// Several usable keys (a rotation in progress): a pin names one exactly.
	if opts.Pin != "" {
		for _, k := range usable {
			if k.thumbprint == opts.Pin {
				return k, nil
			}
		}
		return nil, sberr.New(sberr.KeyPinMismatch, "no key in the JWKS has the pinned thumbprint %q (kids %s); check the pin, or update it if the provider rotated its key", opts.Pin, listKeys(usable))
	}
	return nil, invalid("the JWKS holds %d usable encryption keys (kids %s); pass the kid of the one to use", len(usable), listKeys(usable))
}

// setCandidates reads the "keys" array: each member an object, no kid
// twice. byKid maps each kid to its index.
func setCandidates(raw []byte) (cands []candidate, byKid map[string]int, err error) {
	elems, err := strictjson.DecodeArray(raw)
	if err != nil {
		return nil, nil, invalid(`"keys" is %s; a JWKS must be {"keys":[...]} with an array of JWKs`, strictjson.KindAt(raw))
	}
	if len(elems) == 0 {
		return nil, nil, invalid(`the JWKS has no keys; the key endpoint must serve at least one RSA encryption key`)
	}
	cands = make([]candidate, 0, len(elems))
	byKid = map[string]int{}
	for i, e := range elems {
		m, err := strictjson.DecodeObject(e)
		if err != nil {
			return nil, nil, objectError(err, fmt.Sprintf("keys[%d]", i))
		}
		cand := candidate{label: fmt.Sprintf("keys[%d]", i), members: m}
		if cand.kid, _ = jsonString(m["kid"]); cand.kid != "" {
			// Two keys under one kid would let the provider and us
			// disagree about which key a JWE names.
			if j, dup := byKid[cand.kid]; dup {
				return nil, nil, invalid("kid %q appears twice in the JWKS (keys[%d] and keys[%d]); kids must be unique", abbreviate(cand.kid), j, i)
			}
			byKid[cand.kid] = i
			cand.label = fmt.Sprintf("key %q", abbreviate(cand.kid))
		}
		cands = append(cands, cand)
	}
	return cands, byKid, nil
}

// usableKeys parses every candidate and keeps those that pass. With none,
// the error says why each failed (or is the one key's own error); a page
// without WebCrypto fails at once.
func usableKeys(cands []candidate, c Crypto) ([]*Key, error) {
	var usable []*Key
	var errs []string
	var firstErr error
	for _, cand := range cands {
		k, err := parseJWK(cand.members, c)
		if err != nil {
			if sberr.CodeOf(err) == sberr.InsecureContext {
				return nil, err
			}
			if firstErr == nil {
				firstErr = prefixed(cand.label, err)
			}
			errs = append(errs, cand.label+": "+sberr.As(err).Message)
			continue
		}
		usable = append(usable, k)
	}
	switch {
	case len(usable) > 0:
		return usable, nil
	case len(cands) == 1:
		return nil, firstErr
	default:
		return nil, invalid("none of the %d keys in the JWKS is a usable encryption key: %s", len(cands), strings.Join(errs, "; "))
	}
}

func pinMismatch(k *Key, pin string) error {
	return sberr.New(sberr.KeyPinMismatch, "key %q has thumbprint %q, not the pinned %q; check the pin, or update it if the provider rotated its key", abbreviate(k.kid), k.thumbprint, pin)
}

// objectError turns a strictjson.DecodeObject error into a KeyInvalid
// message; a fault inside a JWKS element names the element.
func objectError(err error, what string) error {
	var e *strictjson.Error
	if !errors.As(err, &e) {
		return sberr.Wrap(err, sberr.KeyInvalid, "%s is not valid JSON (%v)", what, err)
	}
	if len(e.Path) >= 2 && e.Path[0] == "keys" {
		what = "keys[" + e.Path[1] + "]"
	}
	switch e.Err {
	case strictjson.ErrDuplicate:
		return invalid("%s: member %s appears twice; name each member once, so that everyone reads the same key", what, strictjson.Quote(e.Name))
	case strictjson.ErrNotObject:
		return invalid(`%s is %s, not a JSON object; the key endpoint must return a JWK or a JWKS ({"keys":[...]})`, what, e.Kind)
	case strictjson.ErrSyntax, strictjson.ErrUnexpectedEnd, strictjson.ErrTrailingData:
		return sberr.Wrap(err, sberr.KeyInvalid, "%s is not valid JSON (%v); the key endpoint must return a JWK or a JWKS", what, err)
	default:
		return sberr.Wrap(err, sberr.KeyInvalid, "%s: %v; the key endpoint must serve a key every reader reads the same way", what, err)
	}
}

// prefixed names the JWKS member an error is about, keeping its code.
func prefixed(label string, err error) error {
	e := sberr.As(err)
	return &sberr.Error{Code: e.Code, Message: label + ": " + e.Message, Err: e.Err}
}

func listKids(cands []candidate) string {
	var kids []string
	for _, c := range cands {
		if c.kid != "" {
			kids = append(kids, fmt.Sprintf("%q", abbreviate(c.kid)))
		}
	}
	if len(kids) == 0 {
		return "no kids"
	}
	return "kids " + strings.Join(kids, ", ")
}

func listKeys(keys []*Key) string {
	kids := make([]string, len(keys))
	for i, k := range keys {
		kids[i] = fmt.Sprintf("%q", abbreviate(k.kid))
	}
	return strings.Join(kids, ", ")
}

// validThumbprint reports whether s looks like a base64url SHA-256 digest.
func validThumbprint(s string) bool {
	if len(s) != 43 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
