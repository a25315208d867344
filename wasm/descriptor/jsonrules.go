package descriptor

import (
	"errors"
	"slices"
	"unicode/utf8"

	"github.com/sealbridge/sealbridge/internal/strictjson"
)

// ruleError words a strict-JSON rule broken in a descriptor or envelope:
// top-level keys and header names in the terms of the format, anything
// deeper by its JSON Pointer. It never quotes a value.
func ruleError(f fault, data []byte, known []string, err error) error {
	var e *strictjson.Error
	if !errors.As(err, &e) {
		return f.bad("is not valid JSON: %v", err)
	}
	switch e.Err {
	case strictjson.ErrUnexpectedEnd:
		return f.bad("JSON ends too early")
	case strictjson.ErrSyntax:
		if len(e.Path) > 0 && slices.Contains(known, e.Path[0]) && e.Path[0] != "headers" {
			return f.bad("%s is not valid JSON (error near byte %d)", short(e.Path[0]), e.Offset)
		}
		return f.bad("is not valid JSON (error near byte %d)", e.Offset)
	case strictjson.ErrTrailingData:
		if e.Offset < len(data) && startsValue(data[e.Offset]) {
			return f.bad("has data after the JSON object (a second JSON value)")
		}
		return f.bad("has data after the JSON object (near byte %d)", e.Offset)
	case strictjson.ErrInvalidUTF8:
		return f.bad("JSON text is not valid UTF-8 (%s)", e.Where())
	case strictjson.ErrLoneSurrogate:
		return f.bad("JSON text holds an unpaired UTF-16 surrogate escape (%s), which has no UTF-8 form", e.Where())
	case strictjson.ErrDuplicate, strictjson.ErrFoldTwin:
		return twinError(f, known, e)
	}
	return f.bad("%v", e)
}

// twinError words two member names that the rule set takes for one.
func twinError(f fault, known []string, e *strictjson.Error) error {
	switch {
	case len(e.Path) == 0 && e.Err == strictjson.ErrDuplicate:
		return f.bad("duplicate key %s", short(e.Name))
	case len(e.Path) == 0 && slices.Contains(known, e.Other):
		return unknownKey(f, e.Name, known)
	case len(e.Path) == 0:
		return unknownKey(f, e.Other, known)
	case len(e.Path) == 1 && e.Path[0] == "headers" && e.Err == strictjson.ErrDuplicate:
		return f.bad("duplicate header %s", short(e.Name))
	case len(e.Path) == 1 && e.Path[0] == "headers":
		return f.bad("headers %s and %s differ only in case; send one", short(e.Other), short(e.Name))
	}
	return f.bad("%v; send one", e)
}

// nestedValue checks a payload or body (name) about to be nested one level
// deep in a descriptor or envelope and returns it compacted, its own bytes
// otherwise kept (member order, number text, escapes): it must be valid
// UTF-8 JSON under the rule set, so that whatever Encode writes, Decode
// reads.
func nestedValue(v []byte, f fault, name string) ([]byte, error) {
	if !utf8.Valid(v) {
		return nil, f.bad("%s is not valid UTF-8", name)
	}
	err := strictjson.Limits{MaxBytes: len(v), MaxDepth: strictjson.DefaultLimits.MaxDepth - 1}.Validate(v)
	switch {
	case strictjson.NotJSON(err):
		return nil, f.bad("%s is not valid JSON: %v", name, err)
	case err != nil:
		return nil, f.bad("%s: %v", name, err)
	}
	return strictjson.AppendCompact(make([]byte, 0, len(v)), v), nil
}

func startsValue(c byte) bool {
	switch c {
	case '{', '[', '"', 't', 'f', 'n', '-':
		return true
	}
	return '0' <= c && c <= '9'
}
