package server

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path/filepath"

	"github.com/sealbridge/sealbridge/demo/apierr"
	"github.com/sealbridge/sealbridge/demo/session"
	"github.com/sealbridge/sealbridge/demo/web"
)

// wasmName is the shim in DistDir, and wasmPreload the attribute in
// index.html that the page handler versions with its content hash.
const (
	wasmName    = "sealbridge.wasm"
	wasmPreload = `href="/dist/` + wasmName + `"`
)

type staticHandlers struct {
	assets *Assets
	dist   http.Handler
	web    http.Handler
	index  []byte
}

func init() {
	// Go knows .wasm already; say it explicitly, since instantiateStreaming
	// refuses anything but application/wasm.
	_ = mime.AddExtensionType(".wasm", "application/wasm")
}

// staticFiles serves the shim from DistDir (built by `make wasm`, with its
// precompressed siblings) and the demo page from the embedded demo/web.
func (s *Server) staticFiles() (*staticHandlers, error) {
	dist := s.cfg.DistDir
	if _, err := os.Stat(filepath.Join(dist, wasmName)); err != nil {
		return nil, fmt.Errorf("%s/%s is missing: run `make wasm` first (or `make demo`, which does)", dist, wasmName)
	}
	index, err := fs.ReadFile(web.Files, "index.html")
	if err != nil {
		return nil, err
	}
	assets := NewAssets(dist)
	return &staticHandlers{
		assets: assets,
		dist:   http.StripPrefix("/dist/", assets),
		web:    http.StripPrefix("/static/", noCache(http.FileServer(http.FS(web.Files)))),
		index:  index,
	}, nil
}

// noCache makes the browser revalidate the page's scripts on every load,
// so a developer never runs stale ones after an edit.
func noCache(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		h.ServeHTTP(w, r)
	})
}

// page serves the demo page and gives the browser its session cookie. The
// page's preload of the shim is versioned with the shim's content hash, so
// the browser may keep it for a year; index.js fetches the preloaded URL.
func (s *Server) page(st *staticHandlers) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.sessions.Ensure(w, r); err != nil {
			if errors.Is(err, session.ErrUnavailable) {
				session.WriteUnavailable(w)
				return
			}
			writeError(w, http.StatusInternalServerError, apierr.Internal, "could not start a session")
			return
		}
		body := st.index
		if v, err := st.assets.Version(wasmName); err == nil {
			body = bytes.Replace(body, []byte(wasmPreload), []byte(`href="/dist/`+wasmName+`?v=`+v+`"`), 1)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(body)
	}
}
