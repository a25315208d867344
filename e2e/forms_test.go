package e2e

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The leak hunter is only as good as its encodings: check that it finds a
// secret embedded in base64 at every alignment.
func TestFormsFindBase64AtEveryAlignment(t *testing.T) {
	secret := "Société-pässwörd-€-🙂-canary"
	for k := 0; k < 3; k++ {
		blob := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("x", k) + `{"password":"` + secret + `"}`))
		found := false
		for _, f := range forms(secret) {
			found = found || strings.Contains(blob, f)
		}
		require.True(t, found, "alignment %d not detected", k)
	}
}
