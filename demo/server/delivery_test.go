package server

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"html"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/internal/sri"
)

// brStub stands for the brotli sibling: the server never decodes a
// precompressed file, so any bytes tell which one was sent.
var brStub = []byte("brotli bytes of the stub")

// withSiblings adds sealbridge.wasm.br and .gz to the env's DistDir, both
// newer than the module, as `make wasm` leaves them.
func withSiblings(t *testing.T) func(*Config) {
	return func(c *Config) {
		c.DistDir = distDir(t)
		var gz bytes.Buffer
		w, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		require.NoError(t, err)
		_, err = w.Write(wasmStub)
		require.NoError(t, err)
		require.NoError(t, w.Close())
		require.NoError(t, os.WriteFile(filepath.Join(c.DistDir, "sealbridge.wasm.gz"), gz.Bytes(), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(c.DistDir, "sealbridge.wasm.br"), brStub, 0o644))
	}
}

// stubVersion is the content hash the server must put in ETags and ?v=.
func stubVersion() string {
	sum := sha256.Sum256(wasmStub)
	return hex.EncodeToString(sum[:12])
}

// getWasm fetches the module with the given Accept-Encoding, set
// explicitly so that Go's client neither adds gzip nor decodes the body.
func (e *env) getWasm(query, acceptEncoding string, header ...string) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+"/dist/sealbridge.wasm"+query, nil)
	require.NoError(e.t, err)
	req.Header.Set("Accept-Encoding", acceptEncoding)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return e.do(req)
}

func TestDeliveryPicksEncoding(t *testing.T) {
	e := newEnv(t, withSiblings(t))
	v := stubVersion()
	cases := []struct {
		accept, encoding, etag string
	}{
		{"gzip, deflate, br, zstd", "br", `"` + v + `-br"`},
		{"br;q=1.0, gzip;q=0.8", "br", `"` + v + `-br"`},
		{"gzip, deflate", "gzip", `"` + v + `-gzip"`},
		{"br;q=0, gzip", "gzip", `"` + v + `-gzip"`},
		{"*", "br", `"` + v + `-br"`},
		{"*;q=0, gzip", "gzip", `"` + v + `-gzip"`},
		{"identity", "", `"` + v + `"`},
		{"br;q=0, gzip;q=0", "", `"` + v + `"`},
		{"deflate, zstd", "", `"` + v + `"`},
	}
	for _, tc := range cases {
		t.Run(tc.accept, func(t *testing.T) {
			res, body := e.getWasm("", tc.accept)
			require.Equal(t, http.StatusOK, res.StatusCode)
			assert.Equal(t, "application/wasm", res.Header.Get("Content-Type"), "instantiateStreaming needs it, whatever the encoding")
			assert.Equal(t, tc.encoding, res.Header.Get("Content-Encoding"))
			assert.Equal(t, "Accept-Encoding", res.Header.Get("Vary"), "a cache must not give br bytes to a client that asked for none")
			assert.Equal(t, tc.etag, res.Header.Get("ETag"), "a strong ETag per representation")
			switch tc.encoding {
			case "br":
				assert.Equal(t, brStub, body)
			case "gzip":
				zr, err := gzip.NewReader(bytes.NewReader(body))
				require.NoError(t, err)
				plain, err := io.ReadAll(zr)
				require.NoError(t, err)
				assert.Equal(t, wasmStub, plain)
			default:
				assert.Equal(t, wasmStub, body)
			}
		})
	}
}

// Without siblings (no brotli on the build machine, say), every client gets
// the module itself.
func TestDeliveryWithoutSiblings(t *testing.T) {
	e := newEnv(t)
	res, body := e.getWasm("", "gzip, deflate, br")
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Empty(t, res.Header.Get("Content-Encoding"))
	assert.Equal(t, "application/wasm", res.Header.Get("Content-Type"))
	assert.Equal(t, wasmStub, body)
}

// A sibling older than the module is left over from an earlier build: it
// must not be sent in place of the new module.
func TestDeliverySkipsStaleSibling(t *testing.T) {
	var dir string
	e := newEnv(t, withSiblings(t), func(c *Config) { dir = c.DistDir })
	old := time.Now().Add(-time.Hour)
	require.NoError(t, os.Chtimes(filepath.Join(dir, "sealbridge.wasm.br"), old, old))
	res, _ := e.getWasm("", "br, gzip")
	assert.Equal(t, "gzip", res.Header.Get("Content-Encoding"))
}

// brotli gives its output the input's modification time cut to the second:
// such a sibling is fresh.
func TestDeliveryAcceptsSiblingWithWholeSecondTime(t *testing.T) {
	var dir string
	e := newEnv(t, withSiblings(t), func(c *Config) { dir = c.DistDir })
	mod := time.Date(2026, 1, 2, 3, 4, 5, 678_000_000, time.UTC)
	require.NoError(t, os.Chtimes(filepath.Join(dir, "sealbridge.wasm"), mod, mod))
	cut := mod.Truncate(time.Second)
	require.NoError(t, os.Chtimes(filepath.Join(dir, "sealbridge.wasm.br"), cut, cut))
	res, _ := e.getWasm("", "br, gzip")
	assert.Equal(t, "br", res.Header.Get("Content-Encoding"))
}

func TestDeliveryRevalidates(t *testing.T) {
	e := newEnv(t, withSiblings(t))
	res, _ := e.getWasm("", "br")
	etag := res.Header.Get("ETag")
	require.NotEmpty(t, etag)
	assert.Equal(t, "no-cache", res.Header.Get("Cache-Control"), "an unversioned URL is revalidated on every use")

	res, body := e.getWasm("", "br", "If-None-Match", etag)
	assert.Equal(t, http.StatusNotModified, res.StatusCode)
	assert.Empty(t, body)
	assert.Equal(t, etag, res.Header.Get("ETag"))
	assert.Equal(t, "Accept-Encoding", res.Header.Get("Vary"))

	// The br representation's tag does not validate the gzip one.
	res, body = e.getWasm("", "gzip", "If-None-Match", etag)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.NotEmpty(t, body)

	res, _ = e.getWasm("", "identity", "If-None-Match", `"other", `+`"`+stubVersion()+`"`)
	assert.Equal(t, http.StatusNotModified, res.StatusCode)
}

// Only a URL that names the content hash may be cached for a year: a new
// build changes the hash, so the page asks for a new URL.
func TestDeliveryImmutableOnlyWithHash(t *testing.T) {
	e := newEnv(t, withSiblings(t))
	res, _ := e.getWasm("?v="+stubVersion(), "br")
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, ImmutableCache, res.Header.Get("Cache-Control"))

	for _, q := range []string{"", "?v=", "?v=0123456789abcdef01234567", "?x=" + stubVersion()} {
		res, _ := e.getWasm(q, "br")
		require.Equal(t, http.StatusOK, res.StatusCode, q)
		assert.Equal(t, "no-cache", res.Header.Get("Cache-Control"), "query %q", q)
	}
}

// The page preloads the module under its versioned URL, with the attributes
// that let index.js's fetch reuse the preload (as=fetch, crossorigin:
// credentials "same-origin", like fetch's default).
func TestPagePreloadsVersionedWasm(t *testing.T) {
	e := newEnv(t, withSiblings(t))
	res, body := e.get("/")
	require.Equal(t, http.StatusOK, res.StatusCode)
	m := regexp.MustCompile(`<link rel="preload" href="(/dist/sealbridge\.wasm\?v=([0-9a-f]+))" as="fetch" type="application/wasm" crossorigin integrity="([^"]+)">`).FindSubmatch(body)
	require.NotNil(t, m, "no versioned preload in:\n%s", body)
	assert.Equal(t, stubVersion(), string(m[2]))
	assert.Equal(t, sri.DigestBytes(wasmStub), html.UnescapeString(string(m[3])), "index.js fetches with the preload's integrity")

	res, _ = e.getWasm(string(m[1])[len("/dist/sealbridge.wasm"):], "br")
	assert.Equal(t, ImmutableCache, res.Header.Get("Cache-Control"))
}

// A rebuild under a running server changes the hash at once.
func TestDeliveryNoticesRebuild(t *testing.T) {
	var dir string
	e := newEnv(t, func(c *Config) { c.DistDir = distDir(t); dir = c.DistDir })
	res, _ := e.getWasm("", "identity")
	before := res.Header.Get("ETag")
	rebuilt := append([]byte(nil), wasmStub...)
	rebuilt = append(rebuilt, 0, 0)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sealbridge.wasm"), rebuilt, 0o644))
	res, body := e.getWasm("", "identity", "If-None-Match", before)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, rebuilt, body)
	assert.NotEqual(t, before, res.Header.Get("ETag"))
}

func TestDeliveryHeadAndMissing(t *testing.T) {
	e := newEnv(t, withSiblings(t))
	req, err := http.NewRequest(http.MethodHead, e.srv.URL+"/dist/sealbridge.wasm", nil)
	require.NoError(t, err)
	req.Header.Set("Accept-Encoding", "br")
	res, body := e.do(req)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Empty(t, body)
	assert.Equal(t, "br", res.Header.Get("Content-Encoding"))
	assert.Equal(t, int64(len(brStub)), res.ContentLength, "the length of what a GET would send")

	// A range of the encoded bytes is not offered: the whole body comes.
	res, body = e.getWasm("", "br", "Range", "bytes=0-3")
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, brStub, body)

	for _, p := range []string{"/dist/nope.wasm", "/dist/", "/dist/sealbridge.wasm/"} {
		res, _ := e.get(p)
		assert.Equal(t, http.StatusNotFound, res.StatusCode, p)
	}
}

func TestAccepts(t *testing.T) {
	for _, tc := range []struct {
		header, coding string
		want           bool
	}{
		{"", "br", false},
		{"br", "br", true},
		{"BR", "br", true},
		{" gzip , br ", "br", true},
		{"gzip", "br", false},
		{"br;q=0", "br", false},
		{"br;q=0.0", "br", false},
		{"br; q=0.001", "br", true},
		{"br;q=x", "br", false},
		{"*", "gzip", true},
		{"*;q=0", "gzip", false},
		{"gzip;q=0, *", "gzip", false},
		{"*, gzip;q=0", "gzip", false},
		{"brotli", "br", false},
	} {
		assert.Equal(t, tc.want, accepts(tc.header, tc.coding), "%q %s", tc.header, tc.coding)
	}
}
