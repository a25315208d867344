package strictjson

import "unicode/utf8"

// AppendCompact appends valid to dst with the white space between tokens
// removed and every other byte kept (member order, number text, escapes),
// as encoding/json's Compact does. valid must be a document that Walk
// accepted, or the bytes of one value inside such a document (a Value's
// span): it is not checked again, only copied.
func AppendCompact(dst, valid []byte) []byte {
	start, inString := 0, false
	for i := 0; i < len(valid); i++ {
		c := valid[i]
		switch {
		case inString && c == '\\':
			i++ // the escaped byte cannot end the string
		case c == '"':
			inString = !inString
		case !inString && isSpace(c):
			dst = append(dst, valid[start:i]...)
			start = i + 1
		}
	}
	return append(dst, valid[start:]...)
}

// AppendString appends s to dst as a JSON string literal, byte for byte as
// encoding/json's Marshal writes a Go string: '"', '\\' and control
// characters escaped (\b, \f, \n, \r, \t by letter, the others as \u00XX),
// '<', '>' and '&' as \u003c, \u003e and \u0026, U+2028 and U+2029 as
// \u2028 and \u2029, and each byte that is not part of valid UTF-8 as
// \ufffd. The output is the same whoever reads it: a page, a server, a
// decoder that would guess at HTML.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c, size := s[i], 1
		if c >= utf8.RuneSelf {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			if (r != utf8.RuneError || size != 1) && r != '\u2028' && r != '\u2029' {
				i += size
				continue
			}
		} else if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
			i++
			continue
		}
		dst = appendEscape(append(dst, s[start:i]...), s[i:i+size])
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendEscape appends the escape AppendString writes for seq: one ASCII
// byte, U+2028 or U+2029 (3 bytes), or a byte that is not valid UTF-8.
func appendEscape(dst []byte, seq string) []byte {
	const hex = "0123456789abcdef"
	c := seq[0]
	switch {
	case len(seq) == 3: // U+2028 or U+2029: E2 80 A8 or E2 80 A9
		return append(dst, '\\', 'u', '2', '0', '2', hex[seq[2]&0xF])
	case c >= utf8.RuneSelf:
		return append(dst, `\ufffd`...)
	case c == '"' || c == '\\':
		return append(dst, '\\', c)
	case c == '\b':
		return append(dst, '\\', 'b')
	case c == '\f':
		return append(dst, '\\', 'f')
	case c == '\n':
		return append(dst, '\\', 'n')
	case c == '\r':
		return append(dst, '\\', 'r')
	case c == '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
}
