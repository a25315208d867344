package descriptor

import "slices"

// appendString appends s as a JSON string escaped exactly as JavaScript's
// JSON.stringify does, so that our bytes match the Qonto SDK's: only '"',
// '\\' and control characters are escaped; '<', '>', '&', U+2028 and U+2029
// stay as they are (encoding/json would escape the last two even with
// SetEscapeHTML(false)). s must be valid UTF-8; callers check.
func appendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendHeaders appends a JSON object of already lower-cased headers with
// names in byte order (the SDK's sort; names are ASCII tokens, so byte order
// and JavaScript's UTF-16 order agree).
func appendHeaders(dst []byte, h map[string]string) []byte {
	names := make([]string, 0, len(h))
	for n := range h {
		names = append(names, n)
	}
	slices.Sort(names)
	dst = append(dst, '{')
	for i, n := range names {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, n)
		dst = append(dst, ':')
		dst = appendString(dst, h[n])
	}
	return append(dst, '}')
}
