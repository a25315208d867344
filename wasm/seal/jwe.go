package seal

import (
	"encoding/base64"

	"github.com/sealbridge/sealbridge/internal/strictjson"
	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// Crypto imports RSA public keys into the platform's cryptography. In the
// page it is WebCrypto (crypto.subtle, through jsbridge): the browser's and
// Node's native, constant-time RSA-OAEP and AES-GCM, so the module links
// neither crypto/rsa nor crypto/aes. Native tests use the Go standard
// library (package sealtest). Go keeps everything else: the key rules, the
// thumbprint and pin, the protected header and the compact form.
type Crypto interface {
	// PublicKey imports the RSA public key n, e (big-endian, without
	// leading zeros, already validated) for RSA-OAEP-256, once per key.
	PublicKey(n, e []byte) (Cipher, error)
	// SHA256 returns the SHA-256 digest of data (for RFC 7638 thumbprints).
	SHA256(data []byte) ([]byte, error)
}

// Cipher does the two primitives of one JWE with one imported public key.
// It must be safe for concurrent use.
type Cipher interface {
	// EncryptAsync draws a fresh 256-bit content key and a fresh 96-bit
	// IV, wraps the key with RSA-OAEP-256 (SHA-256, MGF1 with SHA-256, no
	// label) and encrypts plaintext under both with AES-256-GCM, aad as
	// the additional data. sealed is the ciphertext followed by the
	// 128-bit tag. It calls done exactly once, now or later, and never
	// blocks: in the page, done runs in a promise callback, which is what
	// lets a seal finish without parking a goroutine (see Key.SealAsync).
	EncryptAsync(aad, plaintext []byte, done func(encryptedKey, iv, sealed []byte, err error))
}

const (
	ivSize  = 12 // A256GCM: a 96-bit IV
	tagSize = 16 // A256GCM: a 128-bit tag
)

var b64url = base64.RawURLEncoding

// protectedHeader returns BASE64URL(UTF8(header)) for the only header the
// wire format allows: the first part of every JWE, and its AES-GCM
// additional authenticated data.
//
// The fixed members need no escaping; the kid is written as encoding/json
// would write it (strictjson.AppendString, held to json.Marshal by a fuzz
// test), and checkHeader reads the result back.
func protectedHeader(kid string) string {
	h := strictjson.AppendString([]byte(`{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":`), kid)
	return b64url.EncodeToString(append(h, '}'))
}

// compact is compactBytes as a string, for Seal's callers.
func (k *Key) compact(plainLen int, encryptedKey, iv, sealed []byte) (string, error) {
	out, err := k.compactBytes(plainLen, encryptedKey, iv, sealed)
	return string(out), err
}

// compactBytes checks what the Cipher produced against the wire format and
// writes the compact serialization (RFC 7516 §7.1):
// header . encrypted key . IV . ciphertext . tag.
func (k *Key) compactBytes(plainLen int, encryptedKey, iv, sealed []byte) ([]byte, error) {
	switch {
	case len(encryptedKey) != k.modulusBytes:
		return nil, sberr.New(sberr.Internal, "the RSA-OAEP-256 wrap gave %d bytes for a %d-byte modulus; refusing to send it", len(encryptedKey), k.modulusBytes)
	case len(iv) != ivSize:
		return nil, sberr.New(sberr.Internal, "the A256GCM IV is %d bytes, not %d; refusing to send it", len(iv), ivSize)
	case len(sealed) != plainLen+tagSize:
		return nil, sberr.New(sberr.Internal, "AES-GCM gave %d bytes for %d bytes of plaintext; refusing to send it", len(sealed), plainLen)
	}
	ct, tag := sealed[:plainLen], sealed[plainLen:]
	n := len(k.prefix) + 3 + b64url.EncodedLen(len(encryptedKey)) + b64url.EncodedLen(ivSize) + b64url.EncodedLen(len(ct)) + b64url.EncodedLen(tagSize)
	out := make([]byte, 0, n)
	out = append(out, k.prefix...)
	out = b64url.AppendEncode(out, encryptedKey)
	out = append(out, '.')
	out = b64url.AppendEncode(out, iv)
	out = append(out, '.')
	out = b64url.AppendEncode(out, ct)
	out = append(out, '.')
	out = b64url.AppendEncode(out, tag)
	return out, nil
}
