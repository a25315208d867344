package seal

import (
	"bytes"
	"crypto/rsa"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

func TestImportKeyValid(t *testing.T) {
	a, _, _ := testKeys(t)
	cases := map[string]func(m map[string]any){
		"full":                  func(map[string]any) {},
		"minimal":               func(m map[string]any) { delete(m, "use"); delete(m, "alg") },
		"key_ops wrapKey":       func(m map[string]any) { delete(m, "use"); m["key_ops"] = []string{"wrapKey"} },
		"key_ops encrypt + use": func(m map[string]any) { m["key_ops"] = []string{"encrypt", "wrapKey"} },
		"unknown members kept":  func(m map[string]any) { m["x5t#S256"] = "abc"; m["ext"] = true; m["custom"] = map[string]any{"a": 1} },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			m := jwkMap(&a.PublicKey, "kid-1")
			mutate(m)
			k, err := ImportKey(mustJSON(t, m), ImportOptions{}, std)
			require.NoError(t, err)
			assert.Equal(t, "kid-1", k.Kid())
			assert.Equal(t, 2048, k.Bits())
			assert.Equal(t, pubThumbprint(&a.PublicKey), k.Thumbprint())
			assert.Equal(t, a.N.Bytes(), k.n)
		})
	}
}

// keyViolation is a JWK mutated into something ImportKey must refuse, and
// what its message must say.
type keyViolation struct {
	name      string
	mutate    func(m map[string]any)
	fragments []string
}

// keyViolations are the mutations of a (2048-bit) key; small is a 1024-bit
// key and secret a private value no message may quote.
func keyViolations(a, small *rsa.PrivateKey, secret string) []keyViolation {
	// A 1024-bit modulus padded with zero bytes to the length of a 2048-bit one.
	paddedSmall := b64(append(make([]byte, 128), small.N.Bytes()...))
	evenN := b64(append(a.N.Bytes()[:255:255], a.N.Bytes()[255]&^1))

	return []keyViolation{
		{"kty EC", func(m map[string]any) { m["kty"] = "EC" }, []string{`kty is "EC"`, "must be RSA"}},
		{"kty oct", func(m map[string]any) { m["kty"] = "oct" }, []string{`kty is "oct"`, "must be RSA"}},
		{"kty OKP", func(m map[string]any) { m["kty"] = "OKP" }, []string{`kty is "OKP"`}},
		{"kty missing", func(m map[string]any) { delete(m, "kty") }, []string{`"kty" is missing`, `"kty":"RSA"`}},
		{"kty not a string", func(m map[string]any) { m["kty"] = 1 }, []string{`"kty" is a number`, "must be a JSON string"}},
		{"modulus 1024 bits", func(m map[string]any) { m["n"] = b64(small.N.Bytes()) }, []string{"modulus is 1024 bits", "at least 2048 bits"}},
		{"zero-padded 1024-bit modulus", func(m map[string]any) { m["n"] = paddedSmall }, []string{"modulus is 1024 bits", "at least 2048 bits"}},
		{"even modulus", func(m map[string]any) { m["n"] = evenN }, []string{"modulus is even"}},
		{"oversized modulus", func(m map[string]any) { m["n"] = b64(append([]byte{1}, make([]byte, 2048)...)) }, []string{"modulus is 16385 bits", "at most 16384"}},
		{"n missing", func(m map[string]any) { delete(m, "n") }, []string{`"n" is missing`}},
		{"n empty", func(m map[string]any) { m["n"] = "" }, []string{`"n" (the modulus) is not base64url`}},
		{"n padded base64", func(m map[string]any) { m["n"] = base64.URLEncoding.EncodeToString(a.N.Bytes()[:256]) + "=" }, []string{`"n" (the modulus) is not base64url`}},
		{"n standard base64", func(m map[string]any) { m["n"] = "ab+/" + m["n"].(string)[4:] }, []string{`"n" (the modulus) is not base64url`}},
		{"n number", func(m map[string]any) { m["n"] = 12345 }, []string{`"n" is a number`}},
		{"e = 3", func(m map[string]any) { m["e"] = "Aw" }, []string{"e is 3", `"e":"AQAB"`}},
		{"e = 65539", func(m map[string]any) { m["e"] = b64([]byte{1, 0, 3}) }, []string{"e is 65539", "65537"}},
		{"e huge", func(m map[string]any) { m["e"] = b64(bytes.Repeat([]byte{0xff}, 64)) }, []string{"e is a 512-bit number;", "65537"}},
		{"e missing", func(m map[string]any) { delete(m, "e") }, []string{`"e" is missing`}},
		{"private d", func(m map[string]any) { m["d"] = secret }, []string{`private member "d"`, "publish only the public key"}},
		{"private p", func(m map[string]any) { m["p"] = secret }, []string{`private member "p"`}},
		{"private q", func(m map[string]any) { m["q"] = secret }, []string{`private member "q"`}},
		{"private dp", func(m map[string]any) { m["dp"] = secret }, []string{`private member "dp"`}},
		{"private dq", func(m map[string]any) { m["dq"] = secret }, []string{`private member "dq"`}},
		{"private qi", func(m map[string]any) { m["qi"] = secret }, []string{`private member "qi"`}},
		{"private oth", func(m map[string]any) { m["oth"] = []any{map[string]any{"r": secret}} }, []string{`private member "oth"`}},
		{"private k", func(m map[string]any) { m["kty"] = "oct"; m["k"] = secret }, []string{`private member "k"`}},
		{"private d null", func(m map[string]any) { m["d"] = nil }, []string{`private member "d"`}},
		{"use sig", func(m map[string]any) { m["use"] = "sig" }, []string{`use is "sig"`, `"use":"enc"`}},
		{"use not a string", func(m map[string]any) { m["use"] = []string{"enc"} }, []string{`"use" is an array`}},
		{"key_ops verify", func(m map[string]any) { delete(m, "use"); m["key_ops"] = []string{"verify"} }, []string{`key_ops lists "verify"`, "no encryption operation"}},
		{"key_ops sign with use enc", func(m map[string]any) { m["key_ops"] = []string{"wrapKey", "sign"} }, []string{`key_ops lists "sign"`, `disagrees with "use":"enc"`}},
		{"key_ops decrypt only", func(m map[string]any) { m["key_ops"] = []string{"decrypt"} }, []string{`does not allow encryption`, `"wrapKey" or "encrypt"`}},
		{"key_ops empty", func(m map[string]any) { m["key_ops"] = []string{} }, []string{`does not allow encryption`}},
		{"key_ops duplicate", func(m map[string]any) { m["key_ops"] = []string{"wrapKey", "wrapKey"} }, []string{`lists "wrapKey" twice`}},
		{"key_ops string", func(m map[string]any) { m["key_ops"] = "wrapKey" }, []string{`"key_ops" is a string`, "array of strings"}},
		{"key_ops non-string", func(m map[string]any) { m["key_ops"] = []any{"wrapKey", 1} }, []string{`"key_ops" is an array with a non-string element`}},
		{"key_ops null element", func(m map[string]any) { m["key_ops"] = []any{"wrapKey", nil} }, []string{`key_ops lists ""`, `disagrees with "use":"enc"`}},
		{"alg RSA1_5", func(m map[string]any) { m["alg"] = "RSA1_5" }, []string{`alg is "RSA1_5"`, `"alg":"RSA-OAEP-256"`}},
		{"alg RSA-OAEP", func(m map[string]any) { m["alg"] = "RSA-OAEP" }, []string{`alg is "RSA-OAEP"`}},
		{"alg RS256", func(m map[string]any) { m["alg"] = "RS256" }, []string{`alg is "RS256"`}},
		{"kid missing", func(m map[string]any) { delete(m, "kid") }, []string{`"kid" is missing`, "non-empty kid"}},
		{"kid empty", func(m map[string]any) { m["kid"] = "" }, []string{`"kid" is empty`}},
		{"kid number", func(m map[string]any) { m["kid"] = 7 }, []string{`"kid" is a number`}},
		{"jku", func(m map[string]any) { m["jku"] = "https://keys.invalid/jwks" }, []string{`the key has "jku"`, "never fetches keys by reference"}},
		{"x5u", func(m map[string]any) { m["x5u"] = "https://keys.invalid/cert" }, []string{`the key has "x5u"`, "never fetches keys by reference"}},
		{"x5c", func(m map[string]any) { m["x5c"] = []string{"MIIB"} }, []string{`the key has "x5c"`, `without "x5c"`}},
	}
}

func TestImportKeyViolations(t *testing.T) {
	a, _, small := testKeys(t)
	const secret = "c2VjcmV0LXByaXZhdGUtdmFsdWU" // must never appear in a message
	for _, tc := range keyViolations(a, small, secret) {
		t.Run(tc.name, func(t *testing.T) {
			m := jwkMap(&a.PublicKey, "kid-1")
			tc.mutate(m)
			_, err := ImportKey(mustJSON(t, m), ImportOptions{}, std)
			requireCode(t, err, sberr.KeyInvalid, tc.fragments...)
			assert.NotContains(t, err.Error(), secret)
		})
	}
}

func TestImportKeyDocumentShape(t *testing.T) {
	a, _, _ := testKeys(t)
	good := string(mustJSON(t, jwkMap(&a.PublicKey, "a")))
	cases := []struct {
		name, doc string
		fragments []string
	}{
		{"empty", "", []string{"key document is empty"}},
		{"blank", " \n\t", []string{"key document is empty"}},
		{"malformed", `{"kty":"RSA",`, []string{"not valid JSON"}},
		{"html", `<html>502 Bad Gateway</html>`, []string{"not valid JSON"}},
		{"trailing data", good + ` {}`, []string{"not valid JSON"}},
		{"array", `[` + good + `]`, []string{"key document is an array", "JWK or a JWKS"}},
		{"string", `"key"`, []string{"key document is a string"}},
		{"null", `null`, []string{"key document is null"}},
		{"number", `42`, []string{"key document is a number"}},
		{"unknown object", `{"hello":"world"}`, []string{`"kty" is missing`}},
		{"both keys and kty", `{"kty":"RSA","keys":[]}`, []string{`both "keys" and "kty"`}},
		{"duplicate member", strings.Replace(good, `"use":"enc"`, `"use":"sig","use":"enc"`, 1), []string{`member "use" appears twice`}},
		{"duplicate top-level keys", `{"keys":[],"keys":[` + good + `]}`, []string{`member "keys" appears twice`}},
		{"too large", `{"kty":"RSA","pad":"` + strings.Repeat("x", maxKeyDocument) + `"}`, []string{"at most 262144 bytes"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ImportKey([]byte(tc.doc), ImportOptions{}, std)
			requireCode(t, err, sberr.KeyInvalid, tc.fragments...)
		})
	}
}

func TestImportKeyDuplicateMemberHiddenFromEncodingJSON(t *testing.T) {
	// encoding/json would keep the last "alg" and accept this key; a
	// provider parser keeping the first would see RSA1_5.
	a, _, _ := testKeys(t)
	doc := `{"kty":"RSA","kid":"a","alg":"RSA1_5","alg":"RSA-OAEP-256","n":"` + b64(a.N.Bytes()) + `","e":"AQAB"}`
	_, err := ImportKey([]byte(doc), ImportOptions{}, std)
	requireCode(t, err, sberr.KeyInvalid, `member "alg" appears twice`)
}

func TestImportKeyPin(t *testing.T) {
	a, b, _ := testKeys(t)
	doc := mustJSON(t, jwkMap(&a.PublicKey, "a"))

	k, err := ImportKey(doc, ImportOptions{Pin: pubThumbprint(&a.PublicKey)}, std)
	require.NoError(t, err)
	require.Equal(t, pubThumbprint(&a.PublicKey), k.Thumbprint())

	_, err = ImportKey(doc, ImportOptions{Pin: pubThumbprint(&b.PublicKey)}, std)
	requireCode(t, err, sberr.KeyPinMismatch, `key "a"`, pubThumbprint(&a.PublicKey), pubThumbprint(&b.PublicKey), "update it")

	_, err = ImportKey(doc, ImportOptions{Pin: "sha256/abc"}, std)
	requireCode(t, err, sberr.InvalidArgument, "43 base64url characters")

	// The pin is checked against the key a kid picked from a JWKS too.
	set := mustJSON(t, map[string]any{"keys": []any{jwkMap(&a.PublicKey, "a"), jwkMap(&b.PublicKey, "b")}})
	_, err = ImportKey(set, ImportOptions{Kid: "a", Pin: pubThumbprint(&b.PublicKey)}, std)
	requireCode(t, err, sberr.KeyPinMismatch)
}

func TestImportKeyKidWithSingleJWK(t *testing.T) {
	a, _, _ := testKeys(t)
	doc := mustJSON(t, jwkMap(&a.PublicKey, "a"))
	k, err := ImportKey(doc, ImportOptions{Kid: "a"}, std)
	require.NoError(t, err)
	require.Equal(t, "a", k.Kid())

	_, err = ImportKey(doc, ImportOptions{Kid: "b"}, std)
	requireCode(t, err, sberr.KeyInvalid, `kid "a", not the requested "b"`)
}

// jwksFixture is a set's candidate members: two usable encryption keys
// (a, b), a signing key and a 1024-bit one.
type jwksFixture struct {
	a, b                   *rsa.PrivateKey
	encA, encB, sigB, weak map[string]any
	set                    func(keys ...any) []byte
}

func newJWKSFixture(t *testing.T) jwksFixture {
	a, b, small := testKeys(t)
	f := jwksFixture{a: a, b: b, encA: jwkMap(&a.PublicKey, "a"), encB: jwkMap(&b.PublicKey, "b"),
		sigB: jwkMap(&b.PublicKey, "sig-b"), weak: jwkMap(&small.PublicKey, "weak")}
	f.sigB["use"], f.sigB["alg"] = "sig", "RS256"
	f.set = func(keys ...any) []byte { return mustJSON(t, map[string]any{"keys": keys}) }
	return f
}

func TestImportKeyJWKS(t *testing.T) {
	f := newJWKSFixture(t)
	b, encA, encB, sigB, weak, set := f.b, f.encA, f.encB, f.sigB, f.weak, f.set

	t.Run("single usable key among others", func(t *testing.T) {
		k, err := ImportKey(set(sigB, encA, weak), ImportOptions{}, std)
		require.NoError(t, err)
		require.Equal(t, "a", k.Kid())
	})
	t.Run("kid selects", func(t *testing.T) {
		k, err := ImportKey(set(encA, encB), ImportOptions{Kid: "b"}, std)
		require.NoError(t, err)
		require.Equal(t, "b", k.Kid())
		require.Equal(t, pubThumbprint(&b.PublicKey), k.Thumbprint())
	})
	t.Run("kid not in set", func(t *testing.T) {
		_, err := ImportKey(set(encA, encB), ImportOptions{Kid: "zz"}, std)
		requireCode(t, err, sberr.KeyInvalid, `no key with kid "zz"`, `kids "a", "b"`)
	})
	t.Run("kid selects an invalid key", func(t *testing.T) {
		_, err := ImportKey(set(encA, sigB), ImportOptions{Kid: "sig-b"}, std)
		requireCode(t, err, sberr.KeyInvalid, `key "sig-b": use is "sig"`)
	})
	t.Run("several usable keys need a kid", func(t *testing.T) {
		_, err := ImportKey(set(encA, encB), ImportOptions{}, std)
		requireCode(t, err, sberr.KeyInvalid, "2 usable encryption keys", `"a", "b"`, "pass the kid")
	})
	t.Run("pin chooses among usable keys", func(t *testing.T) {
		k, err := ImportKey(set(encA, encB), ImportOptions{Pin: pubThumbprint(&b.PublicKey)}, std)
		require.NoError(t, err)
		require.Equal(t, "b", k.Kid())
	})
	t.Run("pin matches none of several", func(t *testing.T) {
		_, err := ImportKey(set(encA, encB), ImportOptions{Pin: rfc7638Thumbprint}, std)
		requireCode(t, err, sberr.KeyPinMismatch, rfc7638Thumbprint)
	})
	t.Run("pin mismatch on the single usable key", func(t *testing.T) {
		_, err := ImportKey(set(sigB, encA), ImportOptions{Pin: pubThumbprint(&b.PublicKey)}, std)
		requireCode(t, err, sberr.KeyPinMismatch, `key "a"`)
	})
}

func TestImportKeyJWKSRefusals(t *testing.T) {
	f := newJWKSFixture(t)
	a, b, encA, sigB, weak, set := f.a, f.b, f.encA, f.sigB, f.weak, f.set
	t.Run("duplicate kids", func(t *testing.T) {
		dup := jwkMap(&b.PublicKey, "a")
		_, err := ImportKey(set(encA, dup), ImportOptions{}, std)
		requireCode(t, err, sberr.KeyInvalid, `kid "a" appears twice`, "keys[0] and keys[1]", "unique")
		// Even when the caller names the kid: which "a" would it be?
		_, err = ImportKey(set(encA, dup), ImportOptions{Kid: "a"}, std)
		requireCode(t, err, sberr.KeyInvalid, `kid "a" appears twice`)
	})
	t.Run("no usable key", func(t *testing.T) {
		_, err := ImportKey(set(sigB, weak), ImportOptions{}, std)
		requireCode(t, err, sberr.KeyInvalid, "none of the 2 keys", `key "sig-b": use is "sig"`, `key "weak": modulus is 1024 bits`)
	})
	t.Run("one key, invalid", func(t *testing.T) {
		_, err := ImportKey(set(weak), ImportOptions{}, std)
		requireCode(t, err, sberr.KeyInvalid, `key "weak": modulus is 1024 bits`)
	})
	t.Run("key without kid is labelled by index", func(t *testing.T) {
		noKid := jwkMap(&a.PublicKey, "")
		delete(noKid, "kid")
		_, err := ImportKey(set(noKid), ImportOptions{}, std)
		requireCode(t, err, sberr.KeyInvalid, `keys[0]: "kid" is missing`)
	})
	t.Run("empty set", func(t *testing.T) {
		_, err := ImportKey([]byte(`{"keys":[]}`), ImportOptions{}, std)
		requireCode(t, err, sberr.KeyInvalid, "no keys")
		_, err = ImportKey([]byte(`{"keys":null}`), ImportOptions{}, std)
		requireCode(t, err, sberr.KeyInvalid, `"keys" is null`)
	})
	t.Run("keys not an array", func(t *testing.T) {
		_, err := ImportKey([]byte(`{"keys":{"kty":"RSA"}}`), ImportOptions{}, std)
		requireCode(t, err, sberr.KeyInvalid, `"keys" is an object`)
	})
	t.Run("element not an object", func(t *testing.T) {
		_, err := ImportKey(set(encA, "b"), ImportOptions{}, std)
		requireCode(t, err, sberr.KeyInvalid, "keys[1] is a string")
	})
	t.Run("element with duplicate member", func(t *testing.T) {
		elem := strings.Replace(string(mustJSON(t, encA)), `"kty":"RSA"`, `"kty":"RSA","kty":"EC"`, 1)
		_, err := ImportKey([]byte(`{"keys":[`+elem+`]}`), ImportOptions{}, std)
		requireCode(t, err, sberr.KeyInvalid, `keys[0]: member "kty" appears twice`)
	})
}
