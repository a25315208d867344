package descriptor

import "encoding/base64"

// Response is the provider's answer, as carried by a response envelope.
type Response struct {
	Headers map[string]string // names lower-case; Decode never returns nil
	Body    []byte            // any JSON value; nil or empty encodes as null; Decode returns null, never nil
}

var responseKeys = []string{"headers", "body"}

// null is the body of an envelope without one. It is a constant so that
// each Response gets its own copy that callers may change.
const null = "null"

// EncodeResponse returns the envelope for r: standard base64 with padding
// of {"headers":{...},"body":...}, header names lower-cased and sorted, the
// body compacted with its own bytes kept. Header names must be RFC 9110
// tokens, unique after lower-casing; values may be any UTF-8 string. Errors
// are sberr.InvalidArgument (the caller built a bad Response).
func EncodeResponse(r Response) (string, error) {
	f := responseEncodeFault
	hs := newHeaderSet(f, Limits{}, responseValueProblem)
	if err := hs.addAll(r.Headers); err != nil {
		return "", err
	}
	body := []byte(null)
	if len(r.Body) > 0 {
		var err error
		if body, err = nestedValue(r.Body, f, "body"); err != nil {
			return "", err
		}
	}
	b := []byte(`{"headers":`)
	b = appendHeaders(b, hs.out)
	b = append(b, `,"body":`...)
	b = append(b, body...)
	b = append(b, '}')
	return base64.StdEncoding.EncodeToString(b), nil
}

// DecodeResponse reads an envelope as strictly as Decode reads a
// descriptor: same base64 and JSON rules, keys "headers" (an object of
// strings; absent means none) and "body" (any JSON value; absent means
// null, the same as an explicit null: an answer without a body, such as a
// 204, is then read without fuss). Malformed input gives
// sberr.BadResponse, which is what the shim reports for an answer it cannot
// read; input over limits gives sberr.PayloadTooLarge. Zero limits mean
// DefaultLimits; large list answers may need a larger MaxEncoded.
func DecodeResponse(s string, limits Limits) (Response, error) {
	l := limits.withDefaults()
	f := responseFault
	data, err := decodeBase64(s, l, f)
	if err != nil {
		return Response{}, err
	}
	r := Response{Body: []byte(null)}
	hs := newHeaderSet(f, l, responseValueProblem)
	err = walkObject(data, f, responseKeys, func(m member) error {
		if m.name == "headers" {
			return readHeaders(m, f, hs)
		}
		r.Body = readValue(m)
		return nil
	})
	if err != nil {
		return Response{}, err
	}
	r.Headers = hs.out
	return r, nil
}
