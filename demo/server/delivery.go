package server

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sealbridge/sealbridge/internal/sri"
)

// Assets serves the files of a dist directory the way a production server
// should serve the shim:
//
//   - precompressed: for x, a sibling x.br (then x.gz) is sent with
//     Content-Encoding when the request's Accept-Encoding allows it and the
//     sibling is not older than x (`make wasm` writes both);
//   - with a strong ETag per representation, derived from the content hash,
//     and 304 Not Modified on a matching If-None-Match;
//   - cached for a year (immutable) when the URL carries the content hash
//     as ?v=<Version>, so a new build gets a new URL; otherwise with
//     no-cache, so the browser revalidates (a cheap 304) every time.
//
// The hash is recomputed only when a file's size or modification time
// changes, so a rebuild under a running dev server is picked up.
type Assets struct {
	dir    http.Dir
	mu     sync.Mutex
	hashes map[string]assetHash
}

type assetHash struct {
	size int64
	mod  time.Time
	sum  string // the version: hex of the first 12 bytes of the SHA-256
	sri  string // the SRI value: sha384-<base64>
}

// ImmutableCache is the Cache-Control of a URL that names its content.
const ImmutableCache = "public, max-age=31536000, immutable"

// encodings lists the precompressed siblings, best first.
var encodings = []struct{ token, ext string }{
	{"br", ".br"},
	{"gzip", ".gz"},
}

// NewAssets serves the files under dir.
func NewAssets(dir string) *Assets {
	return &Assets{dir: http.Dir(dir), hashes: map[string]assetHash{}}
}

// Version returns the content hash of the file at name (slash-separated,
// relative to the directory): the value of ?v= that makes its URL
// cacheable for good.
func (a *Assets) Version(name string) (string, error) {
	h, err := a.sums(name)
	return h.sum, err
}

// Integrity returns the SRI value (sha384) of the file at name, for the
// integrity attribute of the tag that loads it. It is over the file's
// bytes, which is what the browser checks after undoing Content-Encoding.
func (a *Assets) Integrity(name string) (string, error) {
	h, err := a.sums(name)
	return h.sri, err
}

func (a *Assets) sums(name string) (assetHash, error) {
	f, info, err := a.open(name)
	if err != nil {
		return assetHash{}, err
	}
	defer f.Close()
	return a.hash(name, f, info)
}

// ServeHTTP serves r.URL.Path, relative to the directory (mount it under
// http.StripPrefix).
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Path
	f, info, err := a.open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	sums, err := a.hash(name, f, info)
	if err != nil {
		http.Error(w, "cannot read file", http.StatusInternalServerError)
		return
	}
	sum := sums.sum

	h := w.Header()
	h.Add("Vary", "Accept-Encoding")
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		h.Set("Content-Type", ct)
	}
	if r.URL.Query().Get("v") == sum {
		h.Set("Cache-Control", ImmutableCache)
	} else {
		// A missing or stale ?v= must not pin this content for a year.
		h.Set("Cache-Control", "no-cache")
	}

	body, etag := io.ReadSeeker(f), `"`+sum+`"`
	if enc, cf, size := a.precompressed(name, info, r.Header.Get("Accept-Encoding")); cf != nil {
		defer cf.Close()
		body, etag = cf, `"`+sum+"-"+enc+`"`
		h.Set("Content-Encoding", enc)
		// ServeContent leaves the length of an encoded body unset (so the
		// module would go chunked, with no download progress) and would
		// cut ranges of it: send it whole, with its length.
		h.Set("Content-Length", strconv.FormatInt(size, 10))
		r = r.Clone(r.Context())
		r.Header.Del("Range")
	}
	h.Set("ETag", etag)
	// ServeContent answers If-None-Match (304), HEAD and Range for the
	// chosen representation.
	http.ServeContent(w, r, name, info.ModTime(), body)
}

// open opens a regular file; http.Dir refuses paths that climb out of the
// directory.
func (a *Assets) open(name string) (http.File, fs.FileInfo, error) {
	if name == "" || strings.HasSuffix(name, "/") {
		return nil, nil, fs.ErrNotExist
	}
	f, err := a.dir.Open(path.Clean("/" + name))
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		f.Close()
		return nil, nil, errors.Join(err, fs.ErrNotExist)
	}
	return f, info, nil
}

// hash returns the file's content hashes, from the cache while its size
// and modification time are unchanged. f is left at offset 0.
func (a *Assets) hash(name string, f io.ReadSeeker, info fs.FileInfo) (assetHash, error) {
	a.mu.Lock()
	c, ok := a.hashes[name]
	a.mu.Unlock()
	if ok && c.size == info.Size() && c.mod.Equal(info.ModTime()) {
		return c, nil
	}
	d, d384 := sha256.New(), sha512.New384()
	if _, err := io.Copy(io.MultiWriter(d, d384), f); err != nil {
		return assetHash{}, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return assetHash{}, err
	}
	c = assetHash{size: info.Size(), mod: info.ModTime(), sum: hex.EncodeToString(d.Sum(nil)[:12]), sri: sri.FromSHA384(d384.Sum(nil))}
	a.mu.Lock()
	a.hashes[name] = c
	a.mu.Unlock()
	return c, nil
}

// precompressed opens the best sibling the client accepts. A sibling older
// than the file is stale (a rebuild without recompression) and is skipped.
// It also returns the sibling's size.
func (a *Assets) precompressed(name string, orig fs.FileInfo, acceptEncoding string) (string, http.File, int64) {
	for _, e := range encodings {
		if !accepts(acceptEncoding, e.token) {
			continue
		}
		f, info, err := a.open(name + e.ext)
		if err != nil {
			continue
		}
		// Whole seconds: brotli (like tar) gives its output the input's
		// modification time cut to the second.
		if info.ModTime().Before(orig.ModTime().Truncate(time.Second)) {
			f.Close()
			continue
		}
		return e.token, f, info.Size()
	}
	return "", nil, 0
}

// accepts reports whether an Accept-Encoding header allows coding: listed
// (or matched by "*") with a q-value above zero.
func accepts(header, coding string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		token, params, _ := strings.Cut(part, ";")
		token = strings.ToLower(strings.TrimSpace(token))
		if token != coding && token != "*" {
			continue
		}
		ok := qValue(params) > 0
		if token == coding {
			return ok
		}
		star = ok
	}
	return star
}

// qValue reads "q=0.5" from the parameters of one Accept-Encoding item;
// no q means 1, a malformed one 0.
func qValue(params string) float64 {
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return 0
			}
			return q
		}
	}
	return 1
}
