package sri

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The example of the W3C SRI specification (section 3.1).
const (
	specExample       = "alert('Hello, world.');"
	specExampleSHA384 = "sha384-H8BRh8j48O9oYatfu5AZzq6A9RINhZO5H16dQZngK7T62em8MUt1FLm52t+eX6xO"
)

func TestDigestMatchesTheSpecExample(t *testing.T) {
	d, err := Digest(strings.NewReader(specExample))
	require.NoError(t, err)
	require.Equal(t, specExampleSHA384, d)
	require.Equal(t, specExampleSHA384, DigestBytes([]byte(specExample)))
}

func TestManifestRoundTripsAndKeysByBaseName(t *testing.T) {
	dir := t.TempDir()
	js := filepath.Join(dir, "index.js")
	require.NoError(t, os.WriteFile(js, []byte(specExample), 0o644))
	m, err := Build("1.2.3", []string{js})
	require.NoError(t, err)
	require.Equal(t, Manifest{Version: "1.2.3", Files: map[string]string{"index.js": specExampleSHA384}}, m)

	out := filepath.Join(dir, "integrity.json")
	require.NoError(t, m.Write(out))
	back, err := Read(out)
	require.NoError(t, err)
	require.Equal(t, m, back)
}

func TestBuildFailsOnAMissingFile(t *testing.T) {
	_, err := Build("1", []string{filepath.Join(t.TempDir(), "nope.wasm")})
	require.Error(t, err)
}
