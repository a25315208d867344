// Package strictjson decodes JSON objects the way no two parsers can
// disagree about: one object, no duplicate member names (compared after
// unescaping), nothing after it. encoding/json alone keeps the last of two
// duplicates silently, so a body could show one value to a check and
// another to the provider.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// DecodeObject decodes one JSON object into its members. Its errors name
// members and byte offsets, never values (which may be secrets).
func DecodeObject(raw []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	m := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("syntax error near byte %d", dec.InputOffset())
		}
		name, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("syntax error near byte %d", dec.InputOffset())
		}
		if _, dup := m[name]; dup {
			return nil, fmt.Errorf("duplicate member %q", name)
		}
		m[name] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("syntax error near byte %d", dec.InputOffset())
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	return m, nil
}
