package main

import (
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"

	"github.com/sealbridge/sealbridge/bench/web"
	"github.com/sealbridge/sealbridge/demo/server"
)

// site serves the benchmark pages on 127.0.0.1: the modules exactly as the
// dev server delivers the shim (demo/server's Assets: precompressed,
// versioned, cached), panva jose from node_modules, and the scripts.
type site struct {
	srv    *httptest.Server
	dist   *server.Assets // dist/: sealbridge.wasm, index.js, wasm_exec.js
	mods   *server.Assets // the references built in this run
	mu     sync.Mutex
	accept map[string]string // Accept-Encoding the browser sent, by path
}

var startPage = template.Must(template.New("start").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>start {{.Module}}</title>
<link rel="preload" href="{{.WasmURL}}" as="fetch" type="application/wasm" crossorigin>
{{range .Scripts}}<link rel="modulepreload" href="{{.}}">
{{end}}<script type="module" src="/bench/start.js"></script>
</head><body></body></html>
`))

const sealPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>seal</title>
<script type="module" src="/bench/seal.js"></script>
</head><body></body></html>
`

func newSite(dist, work, root string) *site {
	s := &site{dist: server.NewAssets(dist), mods: server.NewAssets(work), accept: map[string]string{}}
	mux := http.NewServeMux()
	mux.Handle("GET /dist/", http.StripPrefix("/dist/", s.dist))
	mux.Handle("GET /mod/", http.StripPrefix("/mod/", s.mods))
	mux.Handle("GET /bench/", http.StripPrefix("/bench/", http.FileServerFS(web.Files)))
	mux.Handle("GET /jose/", http.StripPrefix("/jose/", http.FileServer(http.Dir(filepath.Join(root, "node_modules", "jose", "dist", "webapi")))))
	mux.HandleFunc("GET /start", s.start)
	for path, page := range map[string]string{"/seal": sealPage, "/probe": probePage} {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, page)
		})
	}
	s.srv = httptest.NewServer(s.headers(mux))
	return s
}

// headers makes every page cross-origin isolated, which gives
// performance.now() 5 µs resolution instead of 100 µs: a seal takes a
// fraction of a millisecond.
func (s *site) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cross-Origin-Opener-Policy", "same-origin")
		w.Header().Set("Cross-Origin-Embedder-Policy", "require-corp")
		if w.Header().Get("Cache-Control") == "" && filepath.Ext(r.URL.Path) != ".wasm" {
			w.Header().Set("Cache-Control", "no-cache")
		}
		if filepath.Ext(r.URL.Path) == ".wasm" {
			s.mu.Lock()
			s.accept[r.URL.Path] = r.Header.Get("Accept-Encoding")
			s.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

// wasmURL is a module's versioned URL, as the demo page preloads it.
func (s *site) wasmURL(module string) (string, error) {
	if module == "sealbridge" {
		v, err := s.dist.Version("sealbridge.wasm")
		return "/dist/sealbridge.wasm?v=" + v, err
	}
	v, err := s.mods.Version(module + ".wasm")
	return "/mod/" + module + ".wasm?v=" + v, err
}

func (s *site) start(w http.ResponseWriter, r *http.Request) {
	m := r.URL.Query().Get("m")
	u, err := s.wasmURL(m)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = startPage.Execute(w, struct {
		Module, WasmURL string
		Scripts         []string
	}{m, u, startScripts(m)})
}

func (s *site) acceptEncoding(path string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accept[path]
}

func (s *site) close() { s.srv.Close() }

// startScripts are the scripts a start page preloads as modules, as the
// demo page does and the README advises: every script its loader imports,
// so that none waits for the one importing it. Both loaders get the same
// treatment.
func startScripts(module string) []string {
	if module == "sealbridge" {
		return []string{"/dist/index.js", "/dist/errors.js", "/dist/seal.js", "/dist/wasm_exec.js"}
	}
	return []string{"/bench/goload.js", "/dist/wasm_exec.js"}
}
