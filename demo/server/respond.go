package server

import (
	"net/http"

	"github.com/sealbridge/sealbridge/demo/internal/httpjson"
)

// apiError is the dev server's JSON error body; code is a stable
// sberr-style code and message says what to fix.
type apiError = httpjson.Error

func writeJSON(w http.ResponseWriter, status int, v any) { httpjson.Write(w, status, v) }

func writeError(w http.ResponseWriter, status int, code, message string) {
	httpjson.WriteError(w, status, code, message)
}

func errorHandler(status int, code, message string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, status, code, message)
	})
}
