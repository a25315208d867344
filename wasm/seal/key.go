package seal

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// Key is a validated RSA public encryption key. It is immutable and safe for
// concurrent use: its encrypter only reads its fields and draws a fresh
// content key and IV from crypto/rand on every call.
type Key struct {
	kid        string
	thumbprint string
	bits       int
	pub        *rsa.PublicKey
	enc        *encrypter
	// prefix is the base64url protected header plus "." that every JWE
	// from this key starts with, checked once at import to be exactly
	// alg, enc and kid.
	prefix string
}

// Kid returns the key's "kid".
func (k *Key) Kid() string { return k.kid }

// Thumbprint returns the key's RFC 7638 SHA-256 thumbprint, base64url
// without padding: the value a caller pins.
func (k *Key) Thumbprint() string { return k.thumbprint }

// Bits returns the modulus size in bits.
func (k *Key) Bits() int { return k.bits }

// newKey builds the Key for a validated RSA public key.
func newKey(kid string, pub *rsa.PublicKey) (*Key, error) {
	enc, err := newEncrypter(pub, kid)
	if err != nil {
		return nil, err
	}
	k := &Key{kid: kid, thumbprint: thumbprint(pub), bits: pub.N.BitLen(), pub: pub, enc: enc}
	// Seal once now, and check the header of what came out: this proves
	// the random source and the primitives work before anyone relies on
	// the key, and has the engine compile the sealing code during the
	// import rather than on the user's first seal.
	jwe, err := enc.encrypt(nil)
	if err != nil {
		return nil, err
	}
	header, _, _ := strings.Cut(jwe, ".")
	if err := checkHeader(header, kid); err != nil {
		return nil, err
	}
	k.prefix = header + "."
	return k, nil
}

// checkHeader verifies that a base64url protected header is exactly
// {"alg":"RSA-OAEP-256","enc":"A256GCM","kid":kid}.
func checkHeader(b64, kid string) error {
	raw, err := base64.RawURLEncoding.DecodeString(b64)
	if err != nil {
		return sberr.Wrap(err, sberr.Internal, "the sealer wrote a protected header that is not base64url")
	}
	m, err := decodeObject(raw)
	if err != nil {
		return sberr.Wrap(err, sberr.Internal, "the sealer wrote a protected header that is not a JSON object")
	}
	want := map[string]string{"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": kid}
	if len(m) != len(want) {
		return sberr.New(sberr.Internal, "the sealer wrote %d protected header members; the wire format allows exactly alg, enc and kid", len(m))
	}
	for name, value := range want {
		var got string
		if json.Unmarshal(m[name], &got) != nil || got != value {
			return sberr.New(sberr.Internal, "the sealer wrote protected header member %q wrong; the wire format needs it to be %q", name, abbreviate(value))
		}
	}
	return nil
}

// thumbprint computes the RFC 7638 thumbprint of an RSA public key: SHA-256
// over the required members in lexical order, with no whitespace, and n and
// e in their minimal big-endian form (so leading zeros never change it).
func thumbprint(pub *rsa.PublicKey) string {
	var b bytes.Buffer
	b.WriteString(`{"e":"`)
	b.WriteString(base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()))
	b.WriteString(`","kty":"RSA","n":"`)
	b.WriteString(base64.RawURLEncoding.EncodeToString(pub.N.Bytes()))
	b.WriteString(`"}`)
	sum := sha256.Sum256(b.Bytes())
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
