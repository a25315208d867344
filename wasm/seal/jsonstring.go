package seal

import (
	"errors"
	"unicode/utf16"
	"unicode/utf8"
)

var (
	errInvalidUTF8   = errors.New("the string is not valid UTF-8; fix the value before sealing")
	errLoneSurrogate = errors.New(`the string holds an unpaired UTF-16 surrogate (a \uD800-\uDFFF escape without its pair), which has no UTF-8 form; fix the value before sealing`)
	errBadString     = errors.New("the string literal is malformed")
)

// decodeString decodes a JSON string literal (quotes included) to UTF-8.
// Unlike encoding/json, which swaps broken UTF-8 and lone surrogates for
// U+FFFD, it refuses them: the provider must decrypt exactly the bytes the
// user typed, not a silently altered value.
func decodeString(lit []byte) ([]byte, error) {
	if len(lit) < 2 || lit[0] != '"' || lit[len(lit)-1] != '"' {
		return nil, errBadString
	}
	b := lit[1 : len(lit)-1]
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '\\':
			if i+1 >= len(b) {
				return nil, errBadString
			}
			i++
			switch b[i] {
			case '"', '\\', '/':
				out = append(out, b[i])
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := hex4(b[i+1:])
				if !ok {
					return nil, errBadString
				}
				i += 4
				if utf16.IsSurrogate(r) {
					// A high surrogate must be followed by an escaped low one.
					lo, ok := rune(-1), false
					if r < 0xDC00 && i+6 < len(b) && b[i+1] == '\\' && b[i+2] == 'u' {
						lo, ok = hex4(b[i+3:])
					}
					if !ok || lo < 0xDC00 || lo > 0xDFFF {
						return nil, errLoneSurrogate
					}
					r = utf16.DecodeRune(r, lo)
					i += 6
				}
				out = utf8.AppendRune(out, r)
			default:
				return nil, errBadString
			}
			i++
		case c < 0x20 || c == '"':
			// Callers pass one scanned literal; a bare quote inside means
			// the span is wrong, and decoding on would hide that.
			return nil, errBadString
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 {
				return nil, errInvalidUTF8
			}
			out = append(out, b[i:i+size]...)
			i += size
		}
	}
	return out, nil
}

// hex4 parses the four hex digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
