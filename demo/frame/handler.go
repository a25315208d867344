package frame

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"strings"

	"github.com/sealbridge/sealbridge/demo/frame/web"
)

// DistFiles serves the built module directory (`make wasm`): the dev
// server's Assets, which also versions a file by its content hash.
type DistFiles interface {
	http.Handler
	Version(name string) (string, error)
}

// distNames are the files of dist/ the frame page loads; nothing else of
// dist/ is served on the frame origin.
var distNames = map[string]bool{"index.js": true, "errors.js": true, "seal.js": true, "wasm_exec.js": true, "sealbridge.wasm": true}

// pageData is what frame.html carries: the trust configuration, which the
// frame's script enforces (the same ancestors are in the CSP), and the
// module's versioned URL for the preload.
type pageData struct {
	Config  string
	WasmURL string
}

type handler struct {
	dist    DistFiles
	page    *template.Template
	config  string
	scripts http.Handler
	csp     string
}

// New returns the frame origin's handler: GET /frame.html, the frame's
// scripts under /frame/, and the module under /dist/.
func New(cfg Config, dist DistFiles) (http.Handler, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	page, err := template.ParseFS(web.Files, "frame.html")
	if err != nil {
		return nil, err
	}
	conf, err := json.Marshal(struct {
		Ancestors []string            `json:"ancestors"`
		Providers map[string]Provider `json:"providers"`
	}{cfg.Ancestors, cfg.Providers})
	if err != nil {
		return nil, err
	}
	h := &handler{dist: dist, page: page, config: string(conf), csp: cfg.csp()}
	h.scripts = http.StripPrefix("/frame/", http.FileServerFS(web.Files))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /frame.html", h.servePage)
	mux.HandleFunc("GET /frame/{name}", h.serveScript)
	mux.HandleFunc("GET /dist/{name}", h.serveDist)
	return h.headers(mux), nil
}

// csp lets the frame run its own scripts and compile the module, fetch
// only its own files and the configured keys, and be embedded only by the
// configured ancestors.
func (c Config) csp() string {
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self' 'wasm-unsafe-eval'",
		"style-src 'self'",
		"connect-src " + strings.Join(append([]string{"'self'"}, c.keyOrigins()...), " "),
		"frame-ancestors " + strings.Join(c.Ancestors, " "),
		"base-uri 'none'",
		"form-action 'none'",
		"object-src 'none'",
	}, "; ")
}

func (h *handler) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", h.csp)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		// Its own agent cluster, so that no document.domain trick joins
		// it with a same-site host page.
		hd.Set("Origin-Agent-Cluster", "?1")
		hd.Set("Cross-Origin-Resource-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

func (h *handler) servePage(w http.ResponseWriter, r *http.Request) {
	data := pageData{Config: h.config, WasmURL: "/dist/sealbridge.wasm"}
	if v, err := h.dist.Version("sealbridge.wasm"); err == nil {
		data.WasmURL += "?v=" + v
	}
	var b bytes.Buffer
	if err := h.page.Execute(&b, data); err != nil {
		http.Error(w, "cannot render the frame page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(b.Bytes())
}

func (h *handler) serveScript(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if !strings.HasSuffix(name, ".js") && !strings.HasSuffix(name, ".css") {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	h.scripts.ServeHTTP(w, r)
}

func (h *handler) serveDist(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if !distNames[name] {
		http.NotFound(w, r)
		return
	}
	http.StripPrefix("/dist/", h.dist).ServeHTTP(w, r)
}
