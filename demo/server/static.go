package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sealbridge/sealbridge/demo/web"
	"github.com/sealbridge/sealbridge/internal/sri"
)

// wasmName is the shim in DistDir; distModules are the shim's scripts the
// page preloads, and pageEntry the page's own entry script.
const (
	wasmName  = "sealbridge.wasm"
	pageEntry = "app.js"
)

var distModules = []string{"index.js", "errors.js", "seal.js", "wasm_exec.js", "frames.js"}

type staticHandlers struct {
	assets *Assets
	dist   http.Handler
	web    http.Handler
	index  *template.Template
	webSRI map[string]string // SRI of each embedded page file, by name
}

// pageData fills index.html's tags: every script the page runs carries
// its SRI hash, so that a changed byte in any of them stops the page. The
// entry script has its integrity attribute; the modules it imports, and
// those they import (index.js imports wasm_exec.js), are pinned by the
// import map's "integrity", the only way that covers every import of a
// URL (a failed modulepreload does not stop a later import in Chromium).
type pageData struct {
	Stylesheet string
	ImportMap  template.HTML // <script type="importmap">; its hash is in the page's CSP
	Modules    []preload     // modulepreload tags: the shim's scripts, then the page's modules
	Wasm       preload
	Entry      string
}

type preload struct{ URL, Integrity string }

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
	index, err := template.ParseFS(web.Files, "index.html")
	if err != nil {
		return nil, err
	}
	webSRI, err := embeddedSRI(web.Files)
	if err != nil {
		return nil, err
	}
	assets := NewAssets(dist)
	return &staticHandlers{
		assets: assets,
		dist:   http.StripPrefix("/dist/", assets),
		web:    http.StripPrefix("/static/", noCache(http.FileServer(http.FS(web.Files)))),
		index:  index,
		webSRI: webSRI,
	}, nil
}

// embeddedSRI hashes the page's scripts and styles once: they are
// compiled in.
func embeddedSRI(files fs.FS) (map[string]string, error) {
	out := map[string]string{}
	for _, pattern := range []string{"*.js", "*.css"} {
		names, err := fs.Glob(files, pattern)
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			b, err := fs.ReadFile(files, name)
			if err != nil {
				return nil, err
			}
			out[name] = sri.DigestBytes(b)
		}
	}
	return out, nil
}

// data computes the page's tags. The shim's hashes are read from DistDir
// on each page load (cached by size and time), so a rebuild under a
// running server is picked up; a file missing from DistDir gets no tag.
func (st *staticHandlers) data() pageData {
	d := pageData{Stylesheet: st.webSRI["app.css"], Entry: st.webSRI[pageEntry]}
	for _, name := range distModules {
		if sum, err := st.assets.Integrity(name); err == nil {
			d.Modules = append(d.Modules, preload{"/dist/" + name, sum})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(st.webSRI)) {
		if strings.HasSuffix(name, ".js") && name != pageEntry {
			d.Modules = append(d.Modules, preload{"/static/" + name, st.webSRI[name]})
		}
	}
	d.Wasm.URL = "/dist/" + wasmName
	if v, err := st.assets.Version(wasmName); err == nil {
		d.Wasm.URL += "?v=" + v
	}
	d.Wasm.Integrity, _ = st.assets.Integrity(wasmName)
	return d
}

// importMap renders the import map that pins modules, and the CSP source
// that allows exactly that inline text. json.Marshal escapes <, > and &,
// so no text can close the script element.
func importMap(modules []preload) (template.HTML, string, error) {
	integrity := map[string]string{}
	for _, m := range modules {
		integrity[m.URL] = m.Integrity
	}
	text, err := json.Marshal(map[string]any{"integrity": integrity})
	if err != nil {
		return "", "", err
	}
	sum := sha256.Sum256(text)
	tag := `<script type="importmap">` + string(text) + `</script>`
	return template.HTML(tag), "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'", nil
}

// noCache makes the browser revalidate the page's scripts on every load,
// so a developer never runs stale ones after an edit.
func noCache(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		h.ServeHTTP(w, r)
	})
}

// page serves the demo page. It creates no session (signing in does, POST
// /api/session), so anonymous page loads leave no server-side state. The
// page's preload of the shim is versioned with the shim's content hash, so
// the browser may keep it for a year; index.js fetches the preloaded URL
// with the preload's integrity.
func (s *Server) page(st *staticHandlers) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		data := st.data()
		tag, hash, err := importMap(data.Modules)
		var body bytes.Buffer
		if err == nil {
			data.ImportMap = tag
			err = st.index.Execute(&body, data)
		}
		if err != nil {
			writeError(w, http.StatusInternalServerError, "internal", "could not render the page")
			return
		}
		w.Header().Set("Content-Security-Policy", contentSecurityPolicy(s.connectSources(), s.frameSrc(), hash))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(body.Bytes())
	}
}
