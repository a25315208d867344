// Package strictjson reads JSON under the one rule set that the shim's
// sealer, the request descriptor and every server decoder share, so that
// no two of them can read the same bytes differently. A document is
// refused when:
//
//   - it is not exactly one JSON value (RFC 8259) followed only by white
//     space: trailing data is refused;
//   - an object holds two members whose names are equal once escapes are
//     decoded ("password" and "passwor\u0064"): a duplicate;
//   - an object holds two members whose names are equal after Unicode
//     simple case folding (Fold): "Password", "password" and "paſſword"
//     (U+017F), or "k" and "K" (U+212A, Kelvin sign). encoding/json and
//     many providers' decoders match struct fields this way and keep the
//     last match, so such twins let a reader take the member left in
//     clear for the one that was sealed;
//   - a string, member name or value, is not valid UTF-8 or holds an
//     escaped UTF-16 surrogate without its pair ("\ud800"): decoders
//     replace those with U+FFFD, so two different names could become one;
//   - it is larger than Limits.MaxBytes or nests deeper than
//     Limits.MaxDepth.
//
// Readers that look a member up by name use the same folding (Members.Lookup,
// Fold): a member spelled "Password" is the "password" member to every
// reader, and the sealer refuses to leave it in clear.
//
// Errors (*Error) name the rule broken, a byte offset and the JSON Pointer
// of the place; they quote member names, cut short, but never a value.
//
// The scanner is written by hand rather than built on encoding/json/jsontext:
// in Go 1.26 that package exists only under GOEXPERIMENT=jsonv2, which also
// swaps encoding/json for its v2-based build and grows the WebAssembly
// module by about 185 KB (brotli); its standalone copy
// (github.com/go-json-experiment/json) adds about 36 KB and still has no
// case-folding rule. This package adds a few kilobytes, and its rules are
// the ones written above and nothing else.
package strictjson
