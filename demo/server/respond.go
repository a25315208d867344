package server

import (
	"github.com/sealbridge/sealbridge/demo/internal/httpjson"
	"net/http"

	"github.com/sealbridge/sealbridge/demo/apierr"
)

// apiError is the dev server's JSON error body; code is a stable
// apierr.Code and message says what to fix.
type apiError = apierr.Error

func writeJSON(w http.ResponseWriter, status int, v any) { httpjson.Write(w, status, v) }

func writeError(w http.ResponseWriter, status int, code apierr.Code, message string) {
	apierr.Write(w, status, code, message)
}

func errorHandler(status int, code apierr.Code, message string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, status, code, message)
	})
}
