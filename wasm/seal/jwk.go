package seal

import (
	"bytes"
	"encoding/base64"
	"math/bits"
	"strconv"
	"unicode/utf8"

	"github.com/sealbridge/sealbridge/internal/strictjson"
	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// Key size bounds. 2048 bits is the floor for RSA-OAEP-256 today; the
// ceiling only keeps a hostile key from making every seal slow.
const (
	MinModulusBits = 2048
	MaxModulusBits = 16384
)

// requiredExponent is the only public exponent accepted (65537, big-endian):
// every mainstream key generator uses it, and small exponents invite known
// attacks.
var requiredExponent = []byte{0x01, 0x00, 0x01}

// privateMembers are the JWK members that carry private key material
// (RFC 7518 §6.3.2 for RSA, "d" also for EC/OKP, "k" for oct). A key
// endpoint that serves one of them is leaking its private key.
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// referenceMembers would make the key depend on something fetched or
// certified elsewhere. Sealbridge never fetches keys by reference and does
// not validate certificate chains, so it refuses them instead of ignoring them.
var referenceMembers = []struct{ name, fix string }{
	{"jku", `Sealbridge never fetches keys by reference: serve the public key itself and drop "jku"`},
	{"x5u", `Sealbridge never fetches keys by reference: serve the public key itself and drop "x5u"`},
	{"x5c", `certificate chains are not validated: serve the bare RSA key without "x5c"`},
}

// encOps are the key_ops values that agree with "use":"enc" (RFC 7517 §4.3).
var encOps = map[string]bool{"encrypt": true, "decrypt": true, "wrapKey": true, "unwrapKey": true}

func invalid(format string, args ...any) *sberr.Error {
	return sberr.New(sberr.KeyInvalid, format, args...)
}

// parseJWK validates the members of one JWK and returns the key. Each rule
// has its own message so that a provider can fix its key endpoint.
func parseJWK(m strictjson.Members, c Crypto) (*Key, error) {
	if err := refuseMembers(m); err != nil {
		return nil, err
	}
	kid, err := checkMetadata(m)
	if err != nil {
		return nil, err
	}
	n, e, size, err := rsaPublic(m)
	if err != nil {
		return nil, err
	}
	return newKey(kid, n, e, size, c)
}

// refuseMembers refuses a key that holds a private member or names another
// key by reference.
func refuseMembers(m strictjson.Members) error {
	for _, name := range privateMembers {
		if _, ok := m[name]; ok {
			// Never quote the value: it is a secret.
			return invalid("the key holds the private member %q; publish only the public key (kty, n, e, kid) and keep the private key on the server", name)
		}
	}
	for _, ref := range referenceMembers {
		if _, ok := m[ref.name]; ok {
			return invalid("the key has %q; %s", ref.name, ref.fix)
		}
	}
	return nil
}

// checkMetadata checks kty, kid, use, key_ops and alg, and returns the kid.
func checkMetadata(m strictjson.Members) (string, error) {
	kty, err := stringMember(m, "kty", true)
	if err != nil {
		return "", err
	}
	if kty != "RSA" {
		return "", invalid(`kty is %q; the provider key must be RSA ("kty":"RSA") for RSA-OAEP-256`, abbreviate(kty))
	}
	kid, err := stringMember(m, "kid", true)
	if err != nil {
		return "", err
	}
	if kid == "" {
		return "", invalid(`"kid" is empty; give the key a non-empty kid so the provider knows which key sealed a value`)
	}
	use, err := stringMember(m, "use", false)
	if err != nil {
		return "", err
	}
	if _, ok := m["use"]; ok && use != "enc" {
		return "", invalid(`use is %q; an encryption key must have "use":"enc" or no "use"`, abbreviate(use))
	}
	if err := checkKeyOps(m, use); err != nil {
		return "", err
	}
	alg, err := stringMember(m, "alg", false)
	if err != nil {
		return "", err
	}
	if _, ok := m["alg"]; ok && alg != "RSA-OAEP-256" {
		return "", invalid(`alg is %q; the key must have "alg":"RSA-OAEP-256" or no "alg"`, abbreviate(alg))
	}
	return kid, nil
}

// rsaPublic reads n and e (big-endian): exponent 65537, a modulus of an
// allowed size, in bits, that can be an RSA modulus.
func rsaPublic(m strictjson.Members) (n, e []byte, size int, err error) {
	if n, err = uintMember(m, "n", "modulus"); err != nil {
		return nil, nil, 0, err
	}
	if e, err = uintMember(m, "e", "public exponent"); err != nil {
		return nil, nil, 0, err
	}
	if !bytes.Equal(e, requiredExponent) {
		return nil, nil, 0, invalid(`e is %s; the provider key must use the public exponent 65537 ("e":"AQAB")`, describeUint(e))
	}
	size = bitLen(n)
	if size < MinModulusBits {
		return nil, nil, 0, invalid("modulus is %d bits; the provider key must be RSA with at least %d bits", size, MinModulusBits)
	}
	if size > MaxModulusBits {
		return nil, nil, 0, invalid("modulus is %d bits; Sealbridge accepts RSA keys of at most %d bits", size, MaxModulusBits)
	}
	if n[len(n)-1]&1 == 0 {
		return nil, nil, 0, invalid(`modulus is even, so it is no RSA modulus; check that "n" holds the key's modulus`)
	}
	return n, e, size, nil
}

// bitLen is the length in bits of a big-endian number without leading zeros.
func bitLen(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	return (len(b)-1)*8 + bits.Len8(b[0])
}

// describeUint shows a big-endian number for a message: in decimal when it
// fits 64 bits, else by its size (the value of a huge exponent helps no one).
func describeUint(b []byte) string {
	if len(b) > 8 {
		return "a " + strconv.Itoa(bitLen(b)) + "-bit number"
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return strconv.FormatUint(v, 10)
}

// stringMember returns member name as a string ("" when absent and not
// required).
func stringMember(m strictjson.Members, name string, required bool) (string, error) {
	raw, ok := m[name]
	if !ok {
		if required {
			return "", invalid("%q is missing; %s", name, missingFix[name])
		}
		return "", nil
	}
	s, ok := jsonString(raw)
	if !ok {
		return "", invalid("%q is %s; it must be a JSON string", name, strictjson.KindAt(raw))
	}
	return s, nil
}

// jsonString reads a JSON string literal the strict-JSON walk has already
// checked. It unquotes with strictjson rather than encoding/json: key
// import is the module's first run of this code, and in the page the
// engine compiles each function on its first call, which made
// encoding/json's decoder most of a first import's time.
func jsonString(raw []byte) (string, bool) {
	if strictjson.KindAt(raw) != strictjson.String {
		return "", false
	}
	s, err := strictjson.Unquote(raw)
	return string(s), err == nil
}

var missingFix = map[string]string{
	"kty": `the provider key must be an RSA JWK ("kty":"RSA")`,
	"kid": "give the key a non-empty kid so the provider knows which key sealed a value",
	"n":   "an RSA JWK must carry its modulus as base64url",
	"e":   `an RSA JWK must carry its public exponent ("e":"AQAB")`,
}

// checkKeyOps enforces that key_ops, when present, allows encryption and
// agrees with "use":"enc".
func checkKeyOps(m strictjson.Members, use string) error {
	raw, ok := m["key_ops"]
	if !ok {
		return nil
	}
	ops, ok := stringArray(raw)
	if !ok {
		return invalid(`"key_ops" is %s; it must be an array of strings such as ["wrapKey","encrypt"]`, describeOps(raw))
	}
	seen := map[string]bool{}
	wraps := false
	for _, op := range ops {
		if seen[op] {
			return invalid("key_ops lists %q twice; list each operation once", abbreviate(op))
		}
		seen[op] = true
		if !encOps[op] {
			if use == "enc" {
				return invalid(`key_ops lists %q, which disagrees with "use":"enc"; list only encrypt, wrapKey, decrypt or unwrapKey`, abbreviate(op))
			}
			return invalid("key_ops lists %q, which is no encryption operation; list only encrypt, wrapKey, decrypt or unwrapKey", abbreviate(op))
		}
		if op == "wrapKey" || op == "encrypt" {
			wraps = true
		}
	}
	if !wraps {
		return invalid(`key_ops %s does not allow encryption; it must include "wrapKey" or "encrypt"`, abbreviate(string(raw)))
	}
	return nil
}

// stringArray reads a JSON array of strings the strict-JSON walk has
// already checked. A null element reads as "", as encoding/json reads it
// into a []string (and "" is then refused as no encryption operation).
func stringArray(raw []byte) ([]string, bool) {
	elems, err := strictjson.DecodeArray(raw)
	if err != nil {
		return nil, false
	}
	out := make([]string, len(elems))
	for i, e := range elems {
		if strictjson.KindAt(e) == strictjson.Null {
			continue
		}
		var ok bool
		if out[i], ok = jsonString(e); !ok {
			return nil, false
		}
	}
	return out, true
}

func describeOps(raw []byte) string {
	if k := strictjson.KindAt(raw); k != strictjson.Array {
		return k.String()
	}
	return "an array with a non-string element"
}

// uintMember decodes a Base64urlUInt member (RFC 7518 §2). Leading zero
// octets are ignored, as some libraries emit them; the value is what counts,
// so a zero-padded modulus does not count as a bigger key. The result is
// big-endian without leading zeros (empty for zero).
func uintMember(m strictjson.Members, name, what string) ([]byte, error) {
	s, err := stringMember(m, name, true)
	if err != nil {
		return nil, err
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) == 0 {
		return nil, invalid("%q (the %s) is not base64url without padding; encode it as RFC 7518 requires", name, what)
	}
	return bytes.TrimLeft(b, "\x00"), nil
}

// abbreviate keeps attacker-sized values out of messages.
func abbreviate(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
