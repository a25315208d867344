package seal

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/require"
)

// The RFC 7638 §3.1 example key; its "alg":"RS256" is dropped because a
// signing alg is refused, which does not change the thumbprint.
const rfc7638N = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"

const rfc7638Thumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"

func TestThumbprintRFC7638Example(t *testing.T) {
	doc := `{"kty":"RSA","n":"` + rfc7638N + `","e":"AQAB","kid":"2011-04-29"}`
	k, err := ImportKey([]byte(doc), ImportOptions{}, std)
	require.NoError(t, err)
	require.Equal(t, rfc7638Thumbprint, k.Thumbprint())
	require.Equal(t, 2048, k.Bits())
	require.Equal(t, "2011-04-29", k.Kid())

	// The thumbprint is the pin for that key.
	_, err = ImportKey([]byte(doc), ImportOptions{Pin: rfc7638Thumbprint}, std)
	require.NoError(t, err)
}

func TestThumbprintIgnoresOptionalMembersAndPadding(t *testing.T) {
	// Same key with other optional members, reordered, and zero-padded
	// n and e: RFC 7638 hashes only e, kty, n in canonical form.
	n, err := base64.RawURLEncoding.DecodeString(rfc7638N)
	require.NoError(t, err)
	padded := b64(append([]byte{0, 0}, n...))
	doc := `{"use":"enc","e":"AAEAAQ","alg":"RSA-OAEP-256","kid":"other","x5t":"abc","n":"` + padded + `","kty":"RSA"}`
	k, err := ImportKey([]byte(doc), ImportOptions{}, std)
	require.NoError(t, err)
	require.Equal(t, rfc7638Thumbprint, k.Thumbprint())
	require.Equal(t, 2048, k.Bits(), "zero padding must not count as modulus bits")
}
