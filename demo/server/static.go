package server

import (
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path/filepath"

	"github.com/sealbridge/sealbridge/demo/web"
)

type staticHandlers struct {
	dist, web http.Handler
	index     []byte
}

func init() {
	// Go knows .wasm already; say it explicitly, since instantiateStreaming
	// refuses anything but application/wasm.
	_ = mime.AddExtensionType(".wasm", "application/wasm")
}

// staticFiles serves the shim from DistDir (built by `make wasm`) and the
// demo page from the embedded demo/web.
func (s *Server) staticFiles() (*staticHandlers, error) {
	dist := s.cfg.DistDir
	if _, err := os.Stat(filepath.Join(dist, "sealbridge.wasm")); err != nil {
		return nil, fmt.Errorf("%s/sealbridge.wasm is missing: run `make wasm` first (or `make demo`, which does)", dist)
	}
	index, err := fs.ReadFile(web.Files, "index.html")
	if err != nil {
		return nil, err
	}
	return &staticHandlers{
		dist:  http.StripPrefix("/dist/", noStore(http.FileServer(http.Dir(dist)))),
		web:   http.StripPrefix("/static/", noStore(http.FileServer(http.FS(web.Files)))),
		index: index,
	}, nil
}

// noStore keeps a developer's browser from running a stale shim after a
// rebuild. (Production delivery with hashes and long caching is the
// benchmarks issue's.)
func noStore(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		h.ServeHTTP(w, r)
	})
}

// page serves the demo page and gives the browser its session cookie.
func (s *Server) page(st *staticHandlers) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.sessions.Ensure(w, r); err != nil {
			writeError(w, http.StatusInternalServerError, "internal", "could not start a session")
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(st.index)
	}
}
