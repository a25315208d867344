package strictjson

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// Walk checks a string value without decoding it (checkStr) and Unquote
// decodes into one buffer sized at once. Both must keep exactly the rules
// the decoding reader had: the same literals accepted, the same rule and
// offset for a refused one, the same decoded bytes. oldUnquote and
// oldUnescape are that reader as it was, kept here as the reference.
func oldUnquote(data []byte, pos int, out []byte) ([]byte, int, error) {
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
			var rule error
			if out, i, rule = oldUnescape(data, i, out); rule != nil {
				return out, i, rule
			}
		case c < 0x20:
			return out, i, ErrSyntax
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				return out, i, ErrInvalidUTF8
			}
			out = append(out, data[i:i+size]...)
			i += size
		}
	}
	return out, i, ErrUnexpectedEnd
}

func oldUnescape(data []byte, i int, out []byte) ([]byte, int, error) {
	if i+1 >= len(data) {
		return out, len(data), ErrUnexpectedEnd
	}
	c := data[i+1]
	if c != 'u' {
		const letters, values = "\"\\/bfnrt", "\"\\/\b\f\n\r\t"
		if k := strings.IndexByte(letters, c); k >= 0 {
			return append(out, values[k]), i + 2, nil
		}
		return out, i, ErrSyntax
	}
	r, ok := hex4(data[i+2:])
	if !ok {
		return out, i, ErrSyntax
	}
	if !utf16.IsSurrogate(r) {
		return utf8.AppendRune(out, r), i + 6, nil
	}
	lo, ok := rune(-1), false
	if r < 0xDC00 && i+7 < len(data) && data[i+6] == '\\' && data[i+7] == 'u' {
		lo, ok = hex4(data[i+8:])
	}
	if !ok || lo < 0xDC00 || lo > 0xDFFF {
		return out, i, ErrLoneSurrogate
	}
	return utf8.AppendRune(out, utf16.DecodeRune(r, lo)), i + 12, nil
}

// oldUnquoteExported is Unquote as it was.
func oldUnquoteExported(lit []byte) ([]byte, error) {
	out, end, rule := oldUnquote(lit, 0, nil)
	if rule == nil && end != len(lit) {
		rule = ErrSyntax
	}
	if rule != nil {
		return nil, rule
	}
	if out == nil {
		out = []byte{}
	}
	return out, nil
}

// FuzzStringRulesMatchTheDecodingReader compares, on any bytes and any
// start: the checking reader (a value), the decoding one (a name) and
// Unquote against the reader they replaced.
func FuzzStringRulesMatchTheDecodingReader(f *testing.F) {
	for _, s := range []string{`""`, `"a\u00e9"`, `"\ud83d\ude42"`, `"\ud800"`, "\"\xff\"", `"\ud800\u0041"`,
		`"\udc00"`, `"a\`, `"\u12"`, `"\x"`, "\"\x01\"", `"abc"tail`, `x"a"`, `"é🙂\n\t\/"`} {
		f.Add([]byte(s), uint8(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, start uint8) {
		pos := int(start) % (len(data) + 1)
		wantOut, wantEnd, wantRule := oldUnquote(data, pos, nil)
		_, end, rule := unquote(data, pos, nil, false)
		if end != wantEnd || !errors.Is(rule, wantRule) || (rule == nil) != (wantRule == nil) {
			t.Fatalf("check %q at %d: end %d, %v; the decoding reader: end %d, %v", data, pos, end, rule, wantEnd, wantRule)
		}
		out, end, rule := unquote(data, pos, []byte{}, true)
		if end != wantEnd || rule != wantRule || !bytes.Equal(out, wantOut) {
			t.Fatalf("decode %q at %d: %q, end %d, %v; the decoding reader: %q, end %d, %v", data, pos, out, end, rule, wantOut, wantEnd, wantRule)
		}
		// A value and a name read from the same scanner state agree too.
		sv := &scanner{data: data, pos: pos, lim: DefaultLimits}
		sn := &scanner{data: data, pos: pos, lim: DefaultLimits}
		ev := sv.checkStr()
		_, en := sn.str()
		if sv.pos != sn.pos || (ev == nil) != (en == nil) || (ev != nil && (ev.Err != en.Err || ev.Offset != en.Offset)) {
			t.Fatalf("%q at %d: as a value pos %d, %v; as a name pos %d, %v", data, pos, sv.pos, ev, sn.pos, en)
		}
		got, err := Unquote(data)
		want, werr := oldUnquoteExported(data)
		if err != werr || !bytes.Equal(got, want) || (got == nil) != (want == nil) {
			t.Fatalf("Unquote(%q) = %q, %v; before: %q, %v", data, got, err, want, werr)
		}
		if err == nil && cap(got) > len(data) {
			t.Fatalf("Unquote(%q) sized its buffer %d, over the literal's %d bytes", data, cap(got), len(data))
		}
	})
}
