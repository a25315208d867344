package seal

import (
	"bytes"
	"encoding/base64"

	"github.com/sealbridge/sealbridge/internal/strictjson"
	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// Key is a validated RSA public encryption key, imported once into the
// platform's cryptography (see Crypto). It is immutable and safe for
// concurrent use: every seal draws a fresh content key and IV.
type Key struct {
	kid          string
	thumbprint   string
	bits         int
	modulusBytes int    // the size of every RSA-OAEP block for this key
	n, e         []byte // big-endian, no leading zeros
	// prefix is the base64url protected header plus "." that every JWE
	// from this key starts with, checked at import to be exactly alg, enc
	// and kid; aad is the header alone, the AES-GCM additional data.
	prefix string
	aad    []byte
	cipher Cipher // nil until ImportKey has chosen the key and imported it
}

// Kid returns the key's "kid".
func (k *Key) Kid() string { return k.kid }

// Thumbprint returns the key's RFC 7638 SHA-256 thumbprint, base64url
// without padding: the value a caller pins.
func (k *Key) Thumbprint() string { return k.thumbprint }

// Bits returns the modulus size in bits.
func (k *Key) Bits() int { return k.bits }

// newKey builds the Key for a validated RSA public key, without importing
// it: a JWKS may hold several candidates, and only the chosen one is.
func newKey(kid string, n, e []byte, bits int, c Crypto) (*Key, error) {
	tp, err := thumbprint(n, e, c)
	if err != nil {
		return nil, err
	}
	header := protectedHeader(kid)
	// Check the header once here, so every JWE of this key carries it.
	if err := checkHeader(header, kid); err != nil {
		return nil, err
	}
	return &Key{
		kid: kid, thumbprint: tp, bits: bits, modulusBytes: len(n), n: n, e: e,
		prefix: header + ".", aad: []byte(header),
	}, nil
}

// use imports k into c, making it ready to seal. Nothing is sealed here:
// a key import costs the validation and one WebCrypto import, no more.
func (k *Key) use(c Crypto) error {
	cipher, err := c.PublicKey(k.n, k.e)
	if err != nil {
		return err
	}
	k.cipher = cipher
	return nil
}

// checkHeader verifies that a base64url protected header is exactly
// {"alg":"RSA-OAEP-256","enc":"A256GCM","kid":kid}.
func checkHeader(b64, kid string) error {
	raw, err := base64.RawURLEncoding.DecodeString(b64)
	if err != nil {
		return sberr.Wrap(err, sberr.Internal, "the sealer wrote a protected header that is not base64url")
	}
	m, err := strictjson.DecodeObject(raw)
	if err != nil {
		return sberr.Wrap(err, sberr.Internal, "the sealer wrote a protected header that is not a JSON object")
	}
	want := map[string]string{"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": kid}
	if len(m) != len(want) {
		return sberr.New(sberr.Internal, "the sealer wrote %d protected header members; the wire format allows exactly alg, enc and kid", len(m))
	}
	for name, value := range want {
		if got, ok := jsonString(m[name]); !ok || got != value {
			return sberr.New(sberr.Internal, "the sealer wrote protected header member %q wrong; the wire format needs it to be %q", name, abbreviate(value))
		}
	}
	return nil
}

// thumbprint computes the RFC 7638 thumbprint of an RSA public key: SHA-256
// over the required members in lexical order, with no whitespace, and n and
// e in their minimal big-endian form (so leading zeros never change it).
// The digest is the platform's (WebCrypto in the page), so that the module
// links no hash code of its own.
func thumbprint(n, e []byte, c Crypto) (string, error) {
	var b bytes.Buffer
	b.WriteString(`{"e":"`)
	b.WriteString(base64.RawURLEncoding.EncodeToString(e))
	b.WriteString(`","kty":"RSA","n":"`)
	b.WriteString(base64.RawURLEncoding.EncodeToString(n))
	b.WriteString(`"}`)
	sum, err := c.SHA256(b.Bytes())
	if err != nil {
		return "", err
	}
	if len(sum) != 32 {
		return "", sberr.New(sberr.Internal, "SHA-256 gave %d bytes, not 32; cannot compute the key's thumbprint", len(sum))
	}
	return base64.RawURLEncoding.EncodeToString(sum), nil
}
