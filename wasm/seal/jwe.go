package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"strings"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// encrypter writes compact JWEs (RFC 7516) for one RSA public key with
// alg RSA-OAEP-256 and enc A256GCM, from the standard library alone.
//
// It replaces go-jose's Encrypter in the shim: go-jose links crypto/x509,
// net, ECDSA and Ed25519, about 530 KB of the module after brotli, for
// features the wire format forbids. The tests and the servers still open
// every JWE with go-jose, so the two implementations are checked against
// each other (and against panva jose in the npm interop test).
//
// It is immutable and safe for concurrent use.
type encrypter struct {
	pub *rsa.PublicKey
	// header is the BASE64URL(UTF8(protected header)): the first part of
	// every JWE, and its AES-GCM additional authenticated data.
	header string
	aad    []byte // header, as bytes: read-only
	rand   io.Reader
}

const (
	cekSize = 32 // A256GCM: a 256-bit content encryption key
	ivSize  = 12 // A256GCM: a 96-bit IV
)

var b64url = base64.RawURLEncoding

func newEncrypter(pub *rsa.PublicKey, kid string) (*encrypter, error) {
	h, err := json.Marshal(struct {
		Alg string `json:"alg"`
		Enc string `json:"enc"`
		Kid string `json:"kid"`
	}{"RSA-OAEP-256", "A256GCM", kid})
	if err != nil {
		return nil, sberr.Wrap(err, sberr.Internal, "cannot write the JWE protected header")
	}
	header := b64url.EncodeToString(h)
	return &encrypter{pub: pub, header: header, aad: []byte(header), rand: rand.Reader}, nil
}

// encrypt seals plaintext with a fresh content key and IV:
// header . RSA-OAEP-256(CEK) . IV . AES-256-GCM ciphertext . tag.
func (e *encrypter) encrypt(plaintext []byte) (string, error) {
	var buf [cekSize + ivSize]byte
	defer clear(buf[:]) // the content key must not outlive the seal
	if _, err := io.ReadFull(e.rand, buf[:]); err != nil {
		return "", sberr.Wrap(err, sberr.Internal, "no randomness for the content key: %v", err)
	}
	cek, iv := buf[:cekSize], buf[cekSize:]
	wrapped, err := rsa.EncryptOAEP(sha256.New(), e.rand, e.pub, cek, nil)
	if err != nil {
		return "", sberr.Wrap(err, sberr.Internal, "RSA-OAEP-256 failed: %v", err)
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return "", sberr.Wrap(err, sberr.Internal, "AES-256 failed: %v", err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return "", sberr.Wrap(err, sberr.Internal, "AES-GCM failed: %v", err)
	}
	sealed := gcm.Seal(nil, iv, plaintext, e.aad)
	ct, tag := sealed[:len(sealed)-gcm.Overhead()], sealed[len(sealed)-gcm.Overhead():]

	// Written straight into the result: this runs on every seal, and
	// garbage here is what makes the module's memory grow.
	var out strings.Builder
	out.Grow(len(e.header) + 4 + b64url.EncodedLen(len(wrapped)) + b64url.EncodedLen(ivSize) + b64url.EncodedLen(len(ct)) + b64url.EncodedLen(len(tag)))
	out.WriteString(e.header)
	var scratch [512]byte
	for _, part := range [][]byte{wrapped, iv, ct, tag} {
		out.WriteByte('.')
		if n := b64url.EncodedLen(len(part)); n <= len(scratch) {
			b64url.Encode(scratch[:n], part)
			out.Write(scratch[:n])
		} else {
			out.WriteString(b64url.EncodeToString(part))
		}
	}
	return out.String(), nil
}
