// Package sri computes Subresource Integrity values (the W3C SRI
// "integrity" attribute) and reads and writes the integrity.json that
// `make wasm` publishes next to the shim, so that a page can pin each file
// it loads with <script integrity>, <link integrity> and load({integrity}).
package sri

import (
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Digest is the SRI value of r's bytes: "sha384-" and the standard base64
// of their SHA-384 (the algorithm PCI DSS-minded reviewers and the SRI
// spec's examples use; sha256 is allowed but weaker, sha512 longer).
func Digest(r io.Reader) (string, error) {
	h := sha512.New384()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return FromSHA384(h.Sum(nil)), nil
}

// DigestBytes is Digest of b.
func DigestBytes(b []byte) string {
	sum := sha512.Sum384(b)
	return FromSHA384(sum[:])
}

// FromSHA384 formats a SHA-384 sum computed elsewhere (alongside another
// hash, in one read) as an SRI value.
func FromSHA384(sum []byte) string {
	return "sha384-" + base64.StdEncoding.EncodeToString(sum)
}

// Manifest is integrity.json: the release and, for each file a page loads
// (by its name in dist/), its SRI value.
type Manifest struct {
	Version string            `json:"version"`
	Files   map[string]string `json:"files"`
}

// Build hashes each path into a Manifest keyed by base name.
func Build(version string, paths []string) (Manifest, error) {
	m := Manifest{Version: version, Files: map[string]string{}}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return Manifest{}, err
		}
		d, err := Digest(f)
		f.Close()
		if err != nil {
			return Manifest{}, fmt.Errorf("hashing %s: %w", p, err)
		}
		m.Files[filepath.Base(p)] = d
	}
	return m, nil
}

// Read loads a Manifest from path.
func Read(path string) (Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Manifest{}, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return Manifest{}, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Write stores m at path as indented JSON (map keys sorted, so the file is
// reproducible).
func (m Manifest) Write(path string) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
