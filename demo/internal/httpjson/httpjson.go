// Package httpjson writes the JSON answers of the dev server and the
// sandbox: no-store, nosniff application/json. Error bodies are
// apierr.Error.
package httpjson

import (
	"encoding/json"
	"net/http"
)

// Write sends v as JSON with status, not to be cached or sniffed.
func Write(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
