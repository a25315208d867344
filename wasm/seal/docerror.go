package seal

import (
	"errors"
	"strings"

	"github.com/sealbridge/sealbridge/internal/strictjson"
	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// documentError turns a walk failure into an InvalidArgument error. A
// broken rule on a pointer's way (a twin or an unreadable name in an
// object it goes through, a broken target string) names that pointer,
// since it is the sealed member a reader could mistake; elsewhere it
// names the place. Syntax errors give only an offset: the text around it
// may be a secret.
func documentError(err error, fields []*field) error {
	var e *strictjson.Error
	if !errors.As(err, &e) {
		return err // the visitor's own error, already an *sberr.Error
	}
	switch e.Err {
	case strictjson.ErrSyntax, strictjson.ErrUnexpectedEnd, strictjson.ErrTrailingData:
		return sberr.New(sberr.InvalidArgument, "document is not valid JSON (error near byte %d); pass the JSON text of an object or array", e.Offset)
	case strictjson.ErrTooLarge: // not reached: SealFields checks the size first
		return sberr.New(sberr.PayloadTooLarge, "document is over %d bytes", MaxDocument)
	case strictjson.ErrTooDeep:
		return sberr.New(sberr.InvalidArgument, "document nests deeper than %d objects and arrays; flatten it", strictjson.DefaultLimits.MaxDepth)
	}
	if f := fieldAt(e, fields); f != nil {
		return pointerError(f.ptr.raw, "%s", onPathMessage(e))
	}
	return sberr.New(sberr.InvalidArgument, "document: %v; every reader must see one member per name and exactly the text sent, so fix the document", e)
}

func onPathMessage(e *strictjson.Error) string {
	switch e.Err {
	case strictjson.ErrDuplicate:
		return "member " + strictjson.Quote(e.Name) + " appears twice in one object, so the document is ambiguous (a reader might take the copy left in clear); remove the duplicate"
	case strictjson.ErrFoldTwin:
		return "members " + strictjson.Quote(e.Other) + " and " + strictjson.Quote(e.Name) + " are equal after Unicode case folding, so a reader might take the one left in clear for the sealed one; send one member, named exactly as the pointer"
	}
	if e.InName {
		return e.Where() + " " + trimString(e.Err) + ", so a reader could take it for the sealed member; fix the name"
	}
	return e.Err.Error() + "; fix the value before sealing"
}

// trimString words a string rule for a member name: "is not valid UTF-8".
func trimString(rule error) string { return strings.TrimPrefix(rule.Error(), "the string ") }

// fieldAt returns the first pointer whose way the fault lies on: for a
// member name, the name is (or could be, when it does not decode) the
// pointer's token in that object; for a value, it is the pointer's target.
func fieldAt(e *strictjson.Error, fields []*field) *field {
	for _, f := range fields {
		t := f.ptr.tokens
		if !foldPrefix(e.Path, t) {
			continue
		}
		switch {
		case !e.InName && len(t) == len(e.Path):
			return f
		case e.InName && len(t) > len(e.Path):
			if e.Err == strictjson.ErrInvalidUTF8 || e.Err == strictjson.ErrLoneSurrogate ||
				strictjson.Fold(e.Name) == strictjson.Fold(t[len(e.Path)]) {
				return f
			}
		}
	}
	return nil
}

// foldPrefix reports whether path leads, name by name under folding, to
// the start of tokens.
func foldPrefix(path, tokens []string) bool {
	if len(path) > len(tokens) {
		return false
	}
	for i, p := range path {
		if strictjson.Fold(p) != strictjson.Fold(tokens[i]) {
			return false
		}
	}
	return true
}
