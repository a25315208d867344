package strictjson

import (
	"errors"
	"strconv"
	"strings"
)

// The rules a document can break; an *Error wraps exactly one of them.
var (
	ErrSyntax        = errors.New("not valid JSON")
	ErrUnexpectedEnd = errors.New("JSON ends too early")
	ErrTrailingData  = errors.New("data after the JSON value")
	ErrInvalidUTF8   = errors.New("the string is not valid UTF-8")
	ErrLoneSurrogate = errors.New(`the string holds an unpaired UTF-16 surrogate (a \uD800-\uDFFF escape without its pair), which has no UTF-8 form`)
	ErrDuplicate     = errors.New("a member name appears twice in one object")
	ErrFoldTwin      = errors.New("two member names in one object are equal after Unicode case folding")
	ErrTooDeep       = errors.New("the document nests too deeply")
	ErrTooLarge      = errors.New("the document is too large")
	ErrNotObject     = errors.New("the document is not a JSON object")
	ErrNotArray      = errors.New("the document is not a JSON array")
)

// NotJSON reports whether err says that a document is not JSON at all
// (a syntax error, an early end, data after the value), as any JSON
// reader would, rather than JSON that breaks one of the stricter rules.
func NotJSON(err error) bool {
	return errors.Is(err, ErrSyntax) || errors.Is(err, ErrUnexpectedEnd) || errors.Is(err, ErrTrailingData)
}

// Error is a document refused by the rule set.
type Error struct {
	Err    error    // the rule broken: one of the Err values above
	Offset int      // byte offset in the document where it was found
	Path   []string // reference tokens of the value at fault; for a member name, of the object holding it
	InName bool     // the fault is in a member name
	Name   string   // that member name, decoded; "" when it does not decode
	Other  string   // for ErrDuplicate and ErrFoldTwin: the earlier name it collides with
	Kind   Kind     // for ErrNotObject and ErrNotArray: what the document is instead
}

func (e *Error) Unwrap() error { return e.Err }

// Pointer returns the JSON Pointer (RFC 6901) of Path.
func (e *Error) Pointer() string { return Pointer(e.Path) }

// Where describes the place of the fault for a message: "the member name
// at offset 12 in the object at "/a"", "the value at "/a/b"".
func (e *Error) Where() string {
	if e.InName {
		return "a member name in the " + container(e.Path)
	}
	if len(e.Path) == 0 {
		return "the document"
	}
	return "the value at " + strconv.Quote(e.Pointer())
}

func container(path []string) string {
	if len(path) == 0 {
		return "object at the top level"
	}
	return "object at " + strconv.Quote(Pointer(path))
}

func (e *Error) Error() string {
	switch e.Err {
	case ErrDuplicate:
		return "member " + Quote(e.Name) + " appears twice in the " + container(e.Path)
	case ErrFoldTwin:
		return "members " + Quote(e.Other) + " and " + Quote(e.Name) + " in the " + container(e.Path) +
			" are equal after Unicode case folding, so a case-insensitive reader takes one for the other"
	case ErrInvalidUTF8, ErrLoneSurrogate:
		return e.Where() + ": " + strings.TrimPrefix(e.Err.Error(), "the string ")
	case ErrNotObject:
		return "the document is " + e.Kind.String() + ", not a JSON object"
	case ErrNotArray:
		return "the document is " + e.Kind.String() + ", not a JSON array"
	case ErrTooDeep, ErrTooLarge:
		return e.Err.Error()
	default:
		return e.Err.Error() + " (near byte " + strconv.Itoa(e.Offset) + ")"
	}
}

// Pointer joins reference tokens into a JSON Pointer (RFC 6901).
func Pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		for i := 0; i < len(t); i++ {
			switch t[i] {
			case '~':
				b.WriteString("~0")
			case '/':
				b.WriteString("~1")
			default:
				b.WriteByte(t[i])
			}
		}
	}
	return b.String()
}

// Quote quotes a member name for a message, cut so that a hostile name
// cannot flood a log. It is for names only: values may be secrets.
func Quote(name string) string {
	const limit = 64
	if len(name) > limit {
		return strconv.Quote(name[:limit]) + "..."
	}
	return strconv.Quote(name)
}
