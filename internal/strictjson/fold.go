package strictjson

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Fold returns the key under which the rule set compares member names:
// each rune replaced by one fixed member of its Unicode simple
// case-folding orbit (unicode.SimpleFold), so "Password", "PASSWORD" and
// "paſſword" (U+017F) share one key, and so do "K", "k" and "K" (U+212A).
// Two names have the same key exactly when strings.EqualFold reports them
// equal, which is how encoding/json matches object names to struct fields.
func Fold(name string) string {
	for i, r := range name {
		if foldRune(r) != r {
			return foldFrom(name, i)
		}
	}
	return name // already its own key: no allocation
}

func foldFrom(name string, i int) string {
	var b strings.Builder
	b.Grow(len(name))
	b.WriteString(name[:i])
	for _, r := range name[i:] {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

// foldRune returns the representative of r's simple case-folding orbit:
// its ASCII lower-case letter when it has one (so that ASCII names are
// their own key), otherwise its smallest rune.
func foldRune(r rune) rune {
	switch {
	case 'a' <= r && r <= 'z':
		return r
	case 'A' <= r && r <= 'Z':
		return r + 'a' - 'A'
	case r < utf8.RuneSelf:
		return r
	}
	min := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if 'a' <= f && f <= 'z' {
			return f
		}
		if f < min {
			min = f
		}
	}
	return min
}
