package strictjson

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Unquote decodes one JSON string literal, quotes included, to UTF-8.
// Unlike encoding/json, which swaps broken UTF-8 and lone surrogates for
// U+FFFD, it refuses them (ErrInvalidUTF8, ErrLoneSurrogate): a sealed
// value must be exactly the bytes the user typed, and two names must not
// become one. Anything else that is not exactly one literal is ErrSyntax.
// The value is decoded into one buffer, allocated at once (a decoded
// string is never longer than its literal): a buffer grown while decoding
// would leave each smaller copy of the value, a credential perhaps,
// behind in memory that nothing wipes.
func Unquote(lit []byte) ([]byte, error) {
	out, end, rule := unquote(lit, 0, make([]byte, 0, max(len(lit)-2, 0)), true)
	if rule == nil && end != len(lit) {
		rule = ErrSyntax
	}
	if rule != nil {
		clear(out) // what was decoded before the fault
		return nil, rule
	}
	return out, nil
}

// unquote reads the literal starting at data[pos] and, when decode is
// set, appends its decoded bytes to out; without it, only the rules are
// checked and out is returned as it came. It returns the offset after the
// closing quote, or of the fault with the rule it breaks.
func unquote(data []byte, pos int, out []byte, decode bool) ([]byte, int, error) {
	if pos >= len(data) || data[pos] != '"' {
		return out, pos, ErrSyntax
	}
	i := pos + 1
	for i < len(data) {
		c := data[i]
		switch {
		case c == '"':
			return out, i + 1, nil
		case c == '\\':
			r, next, rule := unescape(data, i)
			if rule != nil {
				return out, next, rule
			}
			if decode {
				out = utf8.AppendRune(out, r)
			}
			i = next
		case c < 0x20:
			return out, i, ErrSyntax
		case c < utf8.RuneSelf:
			if decode {
				out = append(out, c)
			}
			i++
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				return out, i, ErrInvalidUTF8
			}
			if decode {
				out = append(out, data[i:i+size]...)
			}
			i += size
		}
	}
	return out, i, ErrUnexpectedEnd
}

// unescape decodes the escape sequence at data[i] (a backslash) and
// returns the rune it stands for and the offset after it, or the offset
// of the fault with the rule it breaks.
func unescape(data []byte, i int) (rune, int, error) {
	if i+1 >= len(data) {
		return 0, len(data), ErrUnexpectedEnd
	}
	c := data[i+1]
	if c != 'u' {
		// JSON's one-letter escapes and what they stand for.
		const letters, values = "\"\\/bfnrt", "\"\\/\b\f\n\r\t"
		if k := strings.IndexByte(letters, c); k >= 0 {
			return rune(values[k]), i + 2, nil
		}
		return 0, i, ErrSyntax
	}
	r, ok := hex4(data[i+2:])
	if !ok {
		return 0, i, ErrSyntax
	}
	if !utf16.IsSurrogate(r) {
		return r, i + 6, nil
	}
	// A high surrogate must be followed by an escaped low one.
	lo, ok := rune(-1), false
	if r < 0xDC00 && i+7 < len(data) && data[i+6] == '\\' && data[i+7] == 'u' {
		lo, ok = hex4(data[i+8:])
	}
	if !ok || lo < 0xDC00 || lo > 0xDFFF {
		return 0, i, ErrLoneSurrogate
	}
	return utf16.DecodeRune(r, lo), i + 12, nil
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
