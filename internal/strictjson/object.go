package strictjson

import (
	"bytes"
	"encoding/json"
)

// Members are the members of one object, by name as written. No two of
// them are equal under Fold.
type Members map[string]json.RawMessage

// DecodeObject reads data as one JSON object under the rule set and
// DefaultLimits, nested values included, and returns its members.
func DecodeObject(data []byte) (Members, error) { return DefaultLimits.DecodeObject(data) }

// DecodeObject reads data as one JSON object under the rule set and l,
// nested values included, and returns its members. A document that is
// valid but no object gives an *Error wrapping ErrNotObject.
func (l Limits) DecodeObject(data []byte) (Members, error) {
	top := &topLevel{data: data}
	if err := l.Walk(data, top); err != nil {
		return nil, err
	}
	if top.kind != Object {
		return nil, &Error{Err: ErrNotObject, Kind: top.kind}
	}
	return top.members, nil
}

// Lookup returns the member that every reader takes for name: the one
// whose name equals name under Fold. asWritten is its name in the
// document; when it differs from name, a case-sensitive reader does not
// see the member at all while a case-insensitive one does, and callers
// that guard a sealed member should refuse it.
func (m Members) Lookup(name string) (value json.RawMessage, asWritten string, ok bool) {
	if v, ok := m[name]; ok {
		return v, name, true
	}
	key := Fold(name)
	for n, v := range m {
		if Fold(n) == key {
			return v, n, true
		}
	}
	return nil, "", false
}

// Unmarshal checks data under the rule set and DefaultLimits, then decodes
// it into v with encoding/json, refusing members v has no field for. Once
// the rule set holds, encoding/json's case-insensitive field matching
// cannot choose between two members: there is at most one candidate.
func Unmarshal(data []byte, v any) error { return DefaultLimits.Unmarshal(data, v) }

// Unmarshal is the package-level Unmarshal under limits l.
func (l Limits) Unmarshal(data []byte, v any) error {
	if err := l.Validate(data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// topLevel records the members of the top-level value, if an object.
type topLevel struct {
	data    []byte
	kind    Kind
	members Members
}

func (t *topLevel) Member(name string) (Visitor, error) {
	if t.members == nil {
		t.members = Members{}
	}
	return memberValue{t, name}, nil
}

func (t *topLevel) Element(int) (Visitor, error) { return nil, nil }

func (t *topLevel) Value(v Value) error {
	t.kind = v.Kind
	return nil
}

// memberValue stores the raw bytes of one top-level member.
type memberValue struct {
	t    *topLevel
	name string
}

func (m memberValue) Member(string) (Visitor, error) { return nil, nil }
func (m memberValue) Element(int) (Visitor, error)   { return nil, nil }
func (m memberValue) Value(v Value) error {
	m.t.members[m.name] = json.RawMessage(m.t.data[v.Start:v.End])
	return nil
}
