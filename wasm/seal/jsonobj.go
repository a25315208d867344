package seal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// errDuplicateMember reports a member name that appears twice in one object.
// encoding/json keeps the last duplicate silently, so a key could show one
// "kty" or "use" to us and another to the provider; we refuse such keys.
type errDuplicateMember struct{ name string }

func (e errDuplicateMember) Error() string { return fmt.Sprintf("member %q appears twice", e.name) }

// errNotObject reports a JSON value that is valid but not an object.
type errNotObject struct{ kind string }

func (e errNotObject) Error() string { return "is " + e.kind + ", not a JSON object" }

// decodeObject decodes one JSON object into its raw members, refusing
// duplicate member names, anything that is not an object, and trailing data.
func decodeObject(data []byte) (map[string]json.RawMessage, error) {
	if kind := jsonKind(data); kind != "an object" {
		return nil, errNotObject{kind}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // the '{'
		return nil, err
	}
	members := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, ok := tok.(string)
		if !ok {
			return nil, errors.New("object member name is not a string")
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		if _, dup := members[name]; dup {
			return nil, errDuplicateMember{name}
		}
		members[name] = raw
	}
	if _, err := dec.Token(); err != nil { // the '}'
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON object")
	}
	return members, nil
}

// jsonKind names the kind of the JSON value that data starts with, for
// messages ("an object", "an array", "a string", ...).
func jsonKind(data []byte) string {
	data = bytes.TrimLeft(data, " \t\r\n")
	if len(data) == 0 {
		return "empty"
	}
	return kindOf(data[0])
}

// kindOf names the kind of JSON value that starts with byte c.
func kindOf(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

// firstByte returns the first non-space byte of data, or 0.
func firstByte(data []byte) byte {
	data = bytes.TrimLeft(data, " \t\r\n")
	if len(data) == 0 {
		return 0
	}
	return data[0]
}
