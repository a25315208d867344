// Package httpjson writes the JSON answers of the dev server and the
// sandbox: {"code","message"} errors and no-store, nosniff JSON.
package httpjson

import (
	"encoding/json"
	"net/http"
)

// Error is the JSON error body: code is stable, message says what to fix.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Write sends v as JSON with status, not to be cached or sniffed.
func Write(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// WriteError sends an Error.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	Write(w, status, Error{Code: code, Message: message})
}
