//go:build js && wasm

package main

import (
	"encoding/json"
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
// JSON.stringify of an array of strings, checked the same way.
func pointersFromJSON(raw []byte, name string) ([]string, error) {
	if err := checkPointerText(raw, name); err != nil {
		return nil, err
	}
	var ptrs []string
	if err := json.Unmarshal(raw, &ptrs); err != nil {
		return nil, sberr.New(sberr.InvalidArgument, "%s must be an array of strings", name)
	}
	return ptrs, nil
}

func checkPointerText(raw []byte, name string) error {
	if err := strictjson.Validate(raw); errors.Is(err, strictjson.ErrLoneSurrogate) || errors.Is(err, strictjson.ErrInvalidUTF8) {
		index := "?"
		if e := (*strictjson.Error)(nil); errors.As(err, &e) && len(e.Path) == 1 {
			index = e.Path[0]
		}
		return sberr.New(sberr.InvalidArgument, "%s: the pointer at index %s holds an unpaired UTF-16 surrogate (\\uD800-\\uDFFF without its pair), which no member name can match exactly; fix the pointer", name, index)
	}
	return nil
}
