package descriptor

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/sealbridge/sealbridge/internal/strictjson"
)

// walkObject reads data as exactly one JSON object and calls field for each
// member, which must consume the member's value from dec.
//
// encoding/json alone is too lenient for a trust boundary: into a struct it
// matches keys case-insensitively and keeps the last of duplicate keys, and
// it turns invalid UTF-8 into U+FFFD. So the whole text, payload and body
// included, must first pass the strict-JSON rule set that the sealer and
// every server decoder share (internal/strictjson: no duplicate or
// case-fold twin names, no invalid UTF-8 or lone surrogate, bounded depth,
// no trailing data); the walk then refuses unknown keys and wrong types.
func walkObject(data []byte, f fault, known []string, field func(key string, dec *json.Decoder) error) error {
	if err := (strictjson.Limits{MaxBytes: len(data)}).Validate(data); err != nil {
		return ruleError(f, data, known, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return syntaxError(f, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return f.bad("must be a JSON object, got %s", kind(tok))
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return syntaxError(f, err)
		}
		key, ok := tok.(string)
		if !ok { // not reached: the decoder yields only strings as keys
			return f.bad("object key is %s, not a string", kind(tok))
		}
		if !slices.Contains(known, key) {
			return unknownKey(f, key, known)
		}
		if err := field(key, dec); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return syntaxError(f, err)
	}
	return nil
}

func syntaxError(f fault, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return f.bad("JSON ends too early")
	}
	return f.bad("is not valid JSON: %v", err)
}

func unknownKey(f fault, key string, known []string) error {
	for _, k := range known {
		if strings.EqualFold(k, key) {
			return f.bad("unknown key %s: keys are case-sensitive, use %q", short(key), k)
		}
	}
	return f.bad("unknown key %s (allowed: %s)", short(key), quoteAll(known))
}

func quoteAll(ss []string) string {
	var b []byte
	for i, s := range ss {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendString(b, s)
	}
	return string(b)
}

// readString reads a member value that must be a JSON string.
func readString(dec *json.Decoder, f fault, name string) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", syntaxError(f, err)
	}
	s, ok := tok.(string)
	if !ok {
		return "", f.bad("%s must be a string, got %s", name, kind(tok))
	}
	return s, nil
}

// readHeaders reads a member value that must be an object of strings into hs.
func readHeaders(dec *json.Decoder, f fault, hs *headerSet) error {
	tok, err := dec.Token()
	if err != nil {
		return syntaxError(f, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return f.bad(`"headers" must be an object of strings, got %s`, kind(tok))
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return syntaxError(f, err)
		}
		name, ok := tok.(string)
		if !ok { // not reached: the decoder yields only strings as keys
			return f.bad("header name is %s, not a string", kind(tok))
		}
		value, err := readString(dec, f, "header "+short(name)+" value")
		if err != nil {
			return err
		}
		if err := hs.add(name, value); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return syntaxError(f, err)
	}
	return nil
}

// readValue reads any JSON value and returns it compacted, its own bytes
// otherwise kept.
func readValue(dec *json.Decoder, f fault, name string) (json.RawMessage, error) {
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, f.bad("%s is not valid JSON: %v", name, err)
	}
	c, err := compactValue(raw)
	if err != nil { // not reached: the decoder has checked the syntax
		return nil, f.bad("%s is not valid JSON: %v", name, err)
	}
	return c, nil
}

// kind names the JSON type of a token for error messages.
func kind(tok json.Token) string {
	switch t := tok.(type) {
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	case json.Delim:
		if t == '[' {
			return "an array"
		}
		return "an object"
	}
	return "an unexpected value"
}
