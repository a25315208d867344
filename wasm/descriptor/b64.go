package descriptor

import (
	"encoding/base64"
	"strings"
)

// strictStd rejects non-zero trailing bits, so each byte string has exactly
// one accepted encoding.
var strictStd = base64.StdEncoding.Strict()

// decodeBase64 decodes standard, padded base64 and nothing else. The
// standard decoder silently skips '\r' and '\n', so the alphabet is checked
// by hand first; that also gives messages that say what is wrong.
func decodeBase64(s string, l Limits, f fault) ([]byte, error) {
	if s == "" {
		return nil, f.bad("is empty")
	}
	if len(s) > l.MaxEncoded {
		return nil, f.tooLarge("is %d bytes, over the %d-byte limit", len(s), l.MaxEncoded)
	}
	pad := -1 // index of the first '='
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '+', c == '/':
			if pad >= 0 {
				return nil, f.bad("base64 padding '=' in the middle, at byte %d", pad)
			}
		case c == '=':
			if pad < 0 {
				pad = i
			}
		case c == '-' || c == '_':
			return nil, f.bad("byte %d is %q from the URL-safe base64 alphabet; use standard base64 (+ and /) with padding", i, c)
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			return nil, f.bad("byte %d is white space or a line break; base64 must be one unbroken line", i)
		default:
			return nil, f.bad("byte %d (%q) is not in the standard base64 alphabet", i, c)
		}
	}
	if len(s)%4 != 0 {
		if pad < 0 {
			return nil, f.bad("base64 length %d is not a multiple of 4: '=' padding is missing or the data is cut", len(s))
		}
		return nil, f.bad("base64 length %d is not a multiple of 4: wrong padding or the data is cut", len(s))
	}
	if pad >= 0 && len(s)-pad > 2 {
		return nil, f.bad("base64 has %d padding characters; at most 2 are allowed", len(s)-pad)
	}
	b, err := strictStd.DecodeString(s)
	if err != nil {
		// The alphabet and length are right, so what is left is
		// non-zero trailing bits: a non-canonical encoding.
		if strings.HasSuffix(s, "=") {
			return nil, f.bad("base64 is not canonical: the bits before the padding must be zero")
		}
		return nil, f.bad("base64 is invalid: %v", err)
	}
	return b, nil
}
