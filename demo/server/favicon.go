package server

import (
	"io/fs"
	"net/http"

	"github.com/sealbridge/sealbridge/demo/web"
)

// favicon answers /favicon.ico, which a browser asks for on any page that
// names no icon (a JSON route opened in a tab, an error page), with the
// demo page's SVG icon rather than a 404 in the console.
func favicon() (http.HandlerFunc, error) {
	icon, err := fs.ReadFile(web.Files, "favicon.svg")
	if err != nil {
		return nil, err
	}
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		w.Header().Set("Cache-Control", "public, max-age=86400")
		_, _ = w.Write(icon)
	}, nil
}
