package sandbox

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/sealbridge/sealbridge/demo/apierr"
	"github.com/sealbridge/sealbridge/demo/internal/httpjson"
	"github.com/sealbridge/sealbridge/internal/strictdecode"
	"github.com/sealbridge/sealbridge/internal/strictjson"
)

// apiError is the sandbox's JSON error body: the servers' one error body,
// carrying the codes of the providers the sandbox imitates.
type apiError = apierr.Error

func writeJSON(w http.ResponseWriter, status int, v any) { httpjson.Write(w, status, v) }

func writeError(w http.ResponseWriter, status int, code, message string) {
	apierr.Write(w, status, apierr.Code(code), message)
}

// readJSON decodes a bounded JSON body under the strict-JSON rule set,
// refusing unknown fields. On failure it has already written a 400 or 413.
func readJSON(w http.ResponseWriter, r *http.Request, max int64, v any) bool {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		if !tooLarge(w, err, max) {
			writeError(w, http.StatusBadRequest, "bad_json", "request body could not be read")
		}
		return false
	}
	if err := strictdecode.Unmarshal(raw, v); err != nil {
		if errors.Is(err, strictjson.ErrTrailingData) {
			writeError(w, http.StatusBadRequest, "bad_json", "request body has data after the JSON value")
			return false
		}
		writeError(w, http.StatusBadRequest, "bad_json", "request body is not the expected JSON: "+err.Error())
		return false
	}
	return true
}

// tooLarge writes 413 too_large (JSON) when err says the body went over
// max bytes, and reports whether it did.
func tooLarge(w http.ResponseWriter, err error, max int64) bool {
	var tooBig *http.MaxBytesError
	if !errors.As(err, &tooBig) {
		return false
	}
	writeError(w, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the request body is over %d bytes; send less", max))
	return true
}
