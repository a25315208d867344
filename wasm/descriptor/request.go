package descriptor

import (
	"encoding/base64"
	"slices"
)

// Request is one provider API call, as carried by a request descriptor.
type Request struct {
	Method  string            // an HTTP method token, sent as given (not upper-cased)
	Headers map[string]string // names are lower-cased by Encode; Decode returns them lower-case, never nil
	Path    string            // relative to the provider API, starting with "/", with the query string
	Payload []byte            // the body as a JSON value; nil or empty = no payload
}

var requestKeys = []string{"method", "headers", "path", "payload"}

// Encode returns the descriptor for r: standard base64 with padding of
// {"method":...,"headers":{...},"path":...,"payload":...}, keys in that
// order, header names lower-cased and sorted, "payload" left out when r has
// none. Bad fields give an sberr.InvalidArgument error naming the field:
// the method and header names must be RFC 9110 tokens, header values may
// hold no control character but tab, the path must start with "/" (and not
// "//"), the payload must be valid UTF-8 JSON under the strict-JSON rule
// set, as Decode reads it. Header names that differ
// only in case are refused. Encode applies no size limits.
func Encode(r Request) (string, error) {
	b, err := appendRequest(nil, r)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// AppendEncode appends to dst what Encode returns for r, so that a server
// that wraps the descriptor in a body of its own ({"data":"..."}) builds
// that body in one buffer instead of copying the descriptor into it. On
// error it returns dst unchanged.
func AppendEncode(dst []byte, r Request) ([]byte, error) {
	b, err := appendRequest(nil, r)
	if err != nil {
		return dst, err
	}
	return base64.StdEncoding.AppendEncode(dst, b), nil
}

func appendRequest(dst []byte, r Request) ([]byte, error) {
	f := requestFault
	if p := tokenProblem(r.Method); p != "" {
		return nil, f.bad("method %s", p)
	}
	hs := newHeaderSet(f, Limits{}, requestValueProblem)
	if err := hs.addAll(r.Headers); err != nil {
		return nil, err
	}
	if p := pathProblem(r.Path); p != "" {
		return nil, f.bad("path %s", p)
	}
	var payload []byte
	if len(r.Payload) > 0 {
		var err error
		if payload, err = nestedValue(r.Payload, f, "payload"); err != nil {
			return nil, err
		}
	}
	// Room for the text with headers of a usual size, so that it is
	// written into one buffer rather than into one grown from nothing.
	const usualHeader = 48
	size := len(`{"method":"","headers":{},"path":"","payload":}`) + len(r.Method) + len(r.Path) + len(payload) + usualHeader*len(hs.out)
	dst = slices.Grow(dst, size)
	dst = append(dst, `{"method":`...)
	dst = appendString(dst, r.Method)
	dst = append(dst, `,"headers":`...)
	dst = appendHeaders(dst, hs.out)
	dst = append(dst, `,"path":`...)
	dst = appendString(dst, r.Path)
	if payload != nil {
		dst = append(dst, `,"payload":`...)
		dst = append(dst, payload...)
	}
	return append(dst, '}'), nil
}

// Decode reads a descriptor strictly. It refuses, with sberr.InvalidArgument
// and a message saying what is wrong: anything but standard padded base64 on
// one line with zero trailing bits; JSON that is not one object or breaks
// the strict-JSON rule set anywhere, payload included (internal/strictjson:
// duplicate names, names equal after Unicode case folding, invalid UTF-8,
// lone surrogates, deep nesting, data after the object); unknown or
// case-variant ("Method") keys; wrong types (method and path strings, headers an object
// of strings); a missing method or path; and the field rules of Encode.
// Header names are lower-cased; two that collide after lower-casing are
// refused. Keys may come in any order and "headers" may be absent (no
// headers). Input over limits gives sberr.PayloadTooLarge; the length is
// checked before anything is decoded. Zero limits mean DefaultLimits.
//
// Whatever Decode accepts, Encode turns into a descriptor that Decode reads
// back to an equal Request.
func Decode(s string, limits Limits) (Request, error) {
	l := limits.withDefaults()
	f := requestFault
	data, err := decodeBase64(s, l, f)
	if err != nil {
		return Request{}, err
	}
	var r Request
	hs := newHeaderSet(f, l, requestValueProblem)
	var haveMethod, havePath bool
	err = walkObject(data, f, requestKeys, func(m member) error {
		var err error
		switch m.name {
		case "method":
			if r.Method, err = readString(m, f, `"method"`); err != nil {
				return err
			}
			if p := tokenProblem(r.Method); p != "" {
				return f.bad("method %s", p)
			}
			haveMethod = true
		case "headers":
			return readHeaders(m, f, hs)
		case "path":
			if r.Path, err = readString(m, f, `"path"`); err != nil {
				return err
			}
			if p := pathProblem(r.Path); p != "" {
				return f.bad("path %s", p)
			}
			havePath = true
		case "payload":
			r.Payload = readValue(m)
		}
		return err
	})
	if err != nil {
		return Request{}, err
	}
	if !haveMethod {
		return Request{}, f.bad(`"method" is missing`)
	}
	if !havePath {
		return Request{}, f.bad(`"path" is missing`)
	}
	r.Headers = hs.out
	return r, nil
}
