package intermediary

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/sealbridge/sealbridge/demo/apierr"
	"github.com/sealbridge/sealbridge/internal/strictjson"
)

// readDescriptor returns the descriptor text of the request body: the raw
// base64 string (text/plain, or no Content-Type: what the Qonto SDK and the
// shim send) or a JSON object {"data": "..."} (application/json).
func (h *handler) readDescriptor(w http.ResponseWriter, r *http.Request) (string, *failure) {
	media, ok := mediaType(r.Header.Get("Content-Type"))
	if !ok {
		return "", fail(http.StatusUnsupportedMediaType, apierr.UnsupportedMedia, "Content-Type is malformed; send text/plain (the base64 descriptor) or application/json ({\"data\": ...})")
	}
	if media != "text/plain" && media != "application/json" {
		return "", fail(http.StatusUnsupportedMediaType, apierr.UnsupportedMedia, "Content-Type "+media+" is not accepted; send text/plain (the base64 descriptor) or application/json ({\"data\": ...})")
	}
	b, err := readBody(w, r, h.cfg.MaxBody)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return "", fail(http.StatusRequestEntityTooLarge, apierr.PayloadTooLarge, "request body is over "+strconv.FormatInt(h.cfg.MaxBody, 10)+" bytes")
		}
		return "", fail(http.StatusBadRequest, apierr.InvalidRequest, "request body could not be read")
	}
	if media == "application/json" {
		return dataField(b)
	}
	if len(b) == 0 {
		return "", fail(http.StatusBadRequest, apierr.BadDescriptor, "request body is empty; send the base64 request descriptor")
	}
	return string(b), nil
}

// mediaType returns the media type of a Content-Type header, false if it
// is malformed. None means text/plain.
func mediaType(ct string) (string, bool) {
	switch ct {
	case "", "text/plain;charset=UTF-8":
		// None, or what fetch gives a string body: known without
		// parsing the header, which builds a map of its parameters.
		return "text/plain", true
	}
	media, _, err := mime.ParseMediaType(ct)
	return media, err == nil
}

// readBody reads the whole body, at most max bytes.
func readBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	return readSized(http.MaxBytesReader(w, r.Body, max), r.ContentLength, max)
}

// readSized reads r to the end into one buffer sized from declared (a
// Content-Length, as fetch and the provider send) when it is known and
// at most max, rather than growing one from 512 bytes on every call
// (io.ReadAll). r enforces the limit; declared only sizes the buffer.
func readSized(r io.Reader, declared, max int64) ([]byte, error) {
	if declared <= 0 || declared > max {
		return io.ReadAll(r)
	}
	buf := make([]byte, 0, declared+1) // +1: the read that meets EOF needs room
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // a body longer than declared
		}
		m, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// dataField reads exactly {"data": "<string>"} under the strict-JSON rule
// set, so that "Data", a duplicate or a case-fold twin of "data" is refused
// rather than read differently by another parser.
func dataField(b []byte) (string, *failure) {
	bad := func(msg string) (string, *failure) {
		return "", fail(http.StatusBadRequest, apierr.BadDescriptor, `JSON body must be exactly {"data": "<base64 descriptor>"}: `+msg)
	}
	m, err := strictjson.Limits{MaxBytes: len(b)}.DecodeObject(b)
	if err != nil {
		return bad(err.Error())
	}
	for name := range m {
		if name != "data" {
			return bad("unknown key " + strictjson.Quote(name) + " (keys are case-sensitive)")
		}
	}
	raw, ok := m["data"]
	if !ok {
		return bad(`"data" is missing`)
	}
	var data string
	if strictjson.KindAt(raw) != strictjson.String || json.Unmarshal(raw, &data) != nil {
		return bad(`"data" must be a string`)
	}
	return data, nil
}
