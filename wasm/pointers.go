//go:build js && wasm

package main

import (
	"errors"

	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/internal/strictjson"
	"github.com/sealbridge/sealbridge/jsbridge"
	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// pointersArg reads a list of JSON Pointers from JavaScript. A JS string
// holding a lone surrogate ("/a\uD800") reaches Go as "/a\uFFFD", which
// would name another member than the caller meant (and could leave the
// meant one in clear); JSON.stringify keeps the surrogate as an escape,
// so the list is also read through the strict-JSON rule set, which
// refuses it.
func pointersArg(v safejs.Value, name string) ([]string, error) {
	ptrs, err := jsbridge.Strings(v, name)
	if err != nil {
		return nil, err
	}
	raw, err := jsbridge.JSONOf(v, name)
	if err != nil {
		return nil, err
	}
	if err := checkPointerText(raw, name); err != nil {
		return nil, err
	}
	return ptrs, nil
}

// pointersFromJSON reads the list as index.js sends it on the split path:
// JSON.stringify of an array of strings, checked the same way, in one pass
// of the strict-JSON walk (encoding/json's decoder, on every sealFields,
// cost a fifth of the call into Go).
func pointersFromJSON(raw []byte, name string) ([]string, error) {
	list := &stringList{raw: raw}
	err := strictjson.DefaultLimits.Walk(raw, list)
	if err := pointerTextError(err, name); err != nil {
		return nil, err
	}
	if err != nil || list.kind != strictjson.Array || list.bad {
		return nil, sberr.New(sberr.InvalidArgument, "%s must be an array of strings", name)
	}
	return list.items, nil
}

// stringList collects a top-level array's strings; bad is set by any
// other element.
type stringList struct {
	raw   []byte
	kind  strictjson.Kind
	items []string
	bad   bool
}

func (l *stringList) Member(string) (strictjson.Visitor, error) { return nil, nil }
func (l *stringList) Element(int) (strictjson.Visitor, error)   { return listItem{l}, nil }
func (l *stringList) Value(v strictjson.Value) error {
	l.kind = v.Kind
	return nil
}

type listItem struct{ l *stringList }

func (i listItem) Member(string) (strictjson.Visitor, error) { return nil, nil }
func (i listItem) Element(int) (strictjson.Visitor, error)   { return nil, nil }
func (i listItem) Value(v strictjson.Value) error {
	s, err := strictjson.Unquote(i.l.raw[v.Start:v.End])
	if v.Kind != strictjson.String || err != nil {
		i.l.bad = true
		return nil
	}
	i.l.items = append(i.l.items, string(s))
	return nil
}

func checkPointerText(raw []byte, name string) error {
	return pointerTextError(strictjson.Validate(raw), name)
}

func pointerTextError(err error, name string) error {
	if errors.Is(err, strictjson.ErrLoneSurrogate) || errors.Is(err, strictjson.ErrInvalidUTF8) {
		index := "?"
		if e := (*strictjson.Error)(nil); errors.As(err, &e) && len(e.Path) == 1 {
			index = e.Path[0]
		}
		return sberr.New(sberr.InvalidArgument, "%s: the pointer at index %s holds an unpaired UTF-16 surrogate (\\uD800-\\uDFFF without its pair), which no member name can match exactly; fix the pointer", name, index)
	}
	return nil
}
