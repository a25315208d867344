// Package testkeys holds the RSA keys and JWKs that tests share. Keys are
// generated once per test binary (RSA generation is slow, more so under
// -race and in wasm) and never written anywhere: no key is in the repo.
package testkeys

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"math/big"
	"sync"
)

var (
	once                sync.Once
	privA, privB, priv1 *rsa.PrivateKey
)

// RSA returns two 2048-bit keys and one 1024-bit key (too small on purpose).
func RSA() (a, b, small *rsa.PrivateKey) {
	once.Do(func() {
		privA = generate(2048)
		privB = generate(2048)
		priv1 = generate(1024)
	})
	return privA, privB, priv1
}

func generate(bits int) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		panic(err) // crypto/rand does not fail; a test cannot go on without keys
	}
	return k
}

// B64 is base64url without padding, as JOSE writes it.
func B64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// JWK is a valid public encryption JWK for pub, as a map tests can break.
func JWK(pub *rsa.PublicKey, kid string) map[string]any {
	return map[string]any{
		"kty": "RSA",
		"kid": kid,
		"use": "enc",
		"alg": "RSA-OAEP-256",
		"n":   B64(pub.N.Bytes()),
		"e":   B64(big.NewInt(int64(pub.E)).Bytes()),
	}
}
