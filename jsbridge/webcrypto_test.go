//go:build js && wasm

package jsbridge

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/wasm/sberr"
	"github.com/sealbridge/sealbridge/wasm/seal"
)

// webCrypto is wasm/webcrypto.Crypto, rebuilt here because this internal
// test cannot import it (wasm/webcrypto imports jsbridge: a cycle).
type webCrypto struct{ parts Parts }

func (c webCrypto) PublicKey(n, e []byte) (seal.Cipher, error) {
	k, err := ImportRSAOAEP256(n, e, c.parts)
	if err != nil {
		return nil, err
	}
	return k, nil
}

func (webCrypto) SHA256(data []byte) ([]byte, error) { return SHA256(data) }

// providerKey has WebCrypto generate an RSA-OAEP-256 key pair (native, so
// fast even here) and hands the private half to Go to open what was sealed.
func providerKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	p := eval(t, `crypto.subtle.generateKey({name: "RSA-OAEP", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256"}, true, ["encrypt", "decrypt"]).then(k => crypto.subtle.exportKey("pkcs8", k.privateKey))`)
	der, err := Await(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bytesFromJS(der)
	if err != nil {
		t.Fatal(err)
	}
	k, err := x509.ParsePKCS8PrivateKey(b)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PrivateKey)
}

// sealJSParts imports seal.js, the file index.js loads, and returns its
// jweParts: the tests seal both ways, through it (as in a page that loaded
// index.js) and driven step by step from Go (without index.js).
func sealJSParts(t *testing.T) Parts {
	t.Helper()
	mod, err := Await(context.Background(), eval(t, `import(new URL("seal.js", "file://" + process.cwd() + "/").href)`))
	if err != nil {
		t.Fatalf("importing seal.js: %v", err)
	}
	fn := Field(mod, "jweParts")
	if fn.Type() != safejs.TypeFunction {
		t.Fatal("seal.js exports no jweParts")
	}
	return PartsOf(fn)
}

// sealPaths are the two ways a key seals.
func sealPaths(t *testing.T) map[string]Parts {
	return map[string]Parts{"driven from Go": {}, "seal.js jweParts": sealJSParts(t)}
}

func importProvider(t *testing.T, priv *rsa.PrivateKey, kid string, parts Parts) *seal.Key {
	t.Helper()
	jwk, _ := json.Marshal(map[string]string{
		"kty": "RSA", "kid": kid, "use": "enc", "alg": "RSA-OAEP-256",
		"n": b64url(priv.N.Bytes()), "e": "AQAB",
	})
	k, err := seal.ImportKey(jwk, seal.ImportOptions{}, webCrypto{parts: parts})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// openStepByStep decrypts a compact JWE with the Go standard library as
// RFC 7516 §5.2 says, independently of WebCrypto and of go-jose, and
// checks every part's size. It returns the plaintext, content key and IV.
func openStepByStep(t *testing.T, priv *rsa.PrivateKey, jwe string) (plain, cek, iv []byte) {
	t.Helper()
	parts := strings.Split(jwe, ".")
	if len(parts) != 5 {
		t.Fatalf("%d parts, want 5", len(parts))
	}
	var raw [5][]byte
	for i, p := range parts {
		b, err := base64.RawURLEncoding.Strict().DecodeString(p)
		if err != nil {
			t.Fatalf("part %d is not base64url without padding: %v", i, err)
		}
		raw[i] = b
	}
	if string(raw[0]) != `{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"wc"}` {
		t.Fatalf("protected header %s", raw[0])
	}
	if len(raw[1]) != priv.Size() || len(raw[2]) != 12 || len(raw[4]) != 16 {
		t.Fatalf("sizes: encrypted key %d, IV %d, tag %d", len(raw[1]), len(raw[2]), len(raw[4]))
	}
	cek, err := rsa.DecryptOAEP(sha256.New(), nil, priv, raw[1], nil)
	if err != nil || len(cek) != 32 {
		t.Fatalf("RSA-OAEP-256 (SHA-256, MGF1-SHA-256, no label): %v, %d-byte key", err, len(cek))
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	// The AAD is the ASCII of the encoded protected header.
	plain, err = gcm.Open(nil, raw[2], append(raw[3], raw[4]...), []byte(parts[0]))
	if err != nil {
		t.Fatalf("AES-256-GCM: %v", err)
	}
	return plain, cek, raw[2]
}

// What WebCrypto seals is a standard JWE, byte for byte: it opens step by
// step with the Go standard library and with go-jose.
func TestWebCryptoSealMatchesRFC7516(t *testing.T) {
	priv := providerKey(t)
	for path, parts := range sealPaths(t) {
		k := importProvider(t, priv, "wc", parts)
		for _, p := range []string{"", "s3cret", "Société €", strings.Repeat("x", 4096), "\xff\xfe not UTF-8"} {
			jwe, err := k.Seal([]byte(p))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if plain, _, _ := openStepByStep(t, priv, jwe); string(plain) != p {
				t.Fatalf("%s, step by step: got %q", path, plain)
			}
			obj, err := jose.ParseEncryptedCompact(jwe, []jose.KeyAlgorithm{jose.RSA_OAEP_256}, []jose.ContentEncryption{jose.A256GCM})
			if err != nil {
				t.Fatal(err)
			}
			if plain, err := obj.Decrypt(priv); err != nil || string(plain) != p {
				t.Fatalf("%s, go-jose: %v, %q", path, err, plain)
			}
		}
	}
}

// Each value gets its own content key and IV.
func TestWebCryptoFreshKeyAndIV(t *testing.T) {
	priv := providerKey(t)
	ceks, ivs := map[string]bool{}, map[string]bool{}
	for i := range 100 {
		k := importProvider(t, priv, "wc", sealJSParts(t))
		if i%2 == 0 {
			k = importProvider(t, priv, "wc", Parts{})
		}
		jwe, err := k.Seal([]byte("same"))
		if err != nil {
			t.Fatal(err)
		}
		_, cek, iv := openStepByStep(t, priv, jwe)
		if ceks[string(cek)] || ivs[string(iv)] {
			t.Fatal("a content key or IV was reused")
		}
		ceks[string(cek)], ivs[string(iv)] = true, true
	}
}

func TestWebCryptoSHA256(t *testing.T) {
	data := []byte(`{"e":"AQAB","kty":"RSA","n":"x"}`)
	got, err := SHA256(data)
	want := sha256.Sum256(data)
	if err != nil || !bytes.Equal(got, want[:]) {
		t.Fatalf("got %x, %v; want %x", got, err, want)
	}
}

// A page that is no secure context has no crypto.subtle: importing a key
// (and so sealing anything) fails with insecure_context and says to serve
// the page over https.
func TestWithoutSubtleIsInsecureContext(t *testing.T) {
	priv := providerKey(t)
	// What a page on plain http has: getRandomValues, no subtle.
	eval(t, `(() => {
		globalThis.__realCrypto = Object.getOwnPropertyDescriptor(globalThis, "crypto");
		const real = globalThis.crypto;
		Object.defineProperty(globalThis, "crypto", {value: {getRandomValues: (a) => real.getRandomValues(a)}, configurable: true, writable: true});
	})()`)
	defer eval(t, `Object.defineProperty(globalThis, "crypto", globalThis.__realCrypto)`)
	if c := eval(t, `typeof crypto.subtle`); c.Type() != safejs.TypeString {
		t.Fatal("typeof did not answer")
	} else if s, _ := c.String(); s != "undefined" {
		t.Fatalf("the test did not remove crypto.subtle (%s)", s)
	}

	jwk, _ := json.Marshal(map[string]string{"kty": "RSA", "kid": "wc", "n": b64url(priv.N.Bytes()), "e": "AQAB"})
	_, err := seal.ImportKey(jwk, seal.ImportOptions{}, webCrypto{})
	if sberr.CodeOf(err) != sberr.InsecureContext || !strings.Contains(err.Error(), "serve the page over https") {
		t.Fatalf("got %v, want insecure_context saying to serve the page over https", err)
	}
	if _, err := ImportRSAOAEP256(priv.N.Bytes(), []byte{1, 0, 1}, Parts{}); sberr.CodeOf(err) != sberr.InsecureContext {
		t.Fatalf("ImportRSAOAEP256: got %v", err)
	}
}

// Whatever jweParts reports that is not a well-formed JWE's parts is
// refused with code internal, and no JWE comes out: a rejection, a short
// or a long output, something that is not bytes, a throw.
func TestPartsFailuresAreRefused(t *testing.T) {
	priv := providerKey(t)
	for name, fn := range map[string]string{
		"rejects":      `(key, aad, pt, id, finish) => finish(id, null, new Error("boom"))`,
		"short output": `(key, aad, pt, id, finish) => finish(id, new Uint8Array(200), null)`,
		"long output":  `(key, aad, pt, id, finish) => finish(id, new Uint8Array(256 + 12 + pt.length + 16 + 1), null)`,
		"no tag":       `(key, aad, pt, id, finish) => finish(id, new Uint8Array(256 + 12 + pt.length), null)`,
		"not bytes":    `(key, aad, pt, id, finish) => finish(id, "parts", null)`,
		"throws":       `() => { throw new Error("boom") }`,
	} {
		k := importProvider(t, priv, "wc", PartsOf(eval(t, fn)))
		jwe, err := k.Seal([]byte("s3cret"))
		if sberr.CodeOf(err) != sberr.Internal || jwe != "" {
			t.Errorf("%s: got %q, %v; want no JWE and code internal", name, jwe, err)
		}
	}
}
