package strictjson

// Members are the members of one object, by name as written, each value's
// bytes as they stand in the document. No two of them are equal under Fold.
type Members map[string][]byte

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

// DecodeArray reads data as one JSON array under the rule set and
// DefaultLimits, nested values included, and returns its elements' bytes
// in order. A document that is valid but no array gives an *Error
// wrapping ErrNotArray.
func DecodeArray(data []byte) ([][]byte, error) { return DefaultLimits.DecodeArray(data) }

// DecodeArray is the package-level DecodeArray under limits l.
func (l Limits) DecodeArray(data []byte) ([][]byte, error) {
	top := &topLevel{data: data}
	if err := l.Walk(data, top); err != nil {
		return nil, err
	}
	if top.kind != Array {
		return nil, &Error{Err: ErrNotArray, Kind: top.kind}
	}
	if top.elements == nil {
		top.elements = [][]byte{}
	}
	return top.elements, nil
}

// Lookup returns the member that every reader takes for name: the one
// whose name equals name under Fold. asWritten is its name in the
// document; when it differs from name, a case-sensitive reader does not
// see the member at all while a case-insensitive one does, and callers
// that guard a sealed member should refuse it.
func (m Members) Lookup(name string) (value []byte, asWritten string, ok bool) {
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

// topLevel records the members or elements of the top-level value.
type topLevel struct {
	data     []byte
	kind     Kind
	members  Members
	elements [][]byte
}

func (t *topLevel) Member(name string) (Visitor, error) {
	if t.members == nil {
		t.members = Members{}
	}
	return memberValue{t, name}, nil
}

func (t *topLevel) Element(int) (Visitor, error) {
	t.elements = append(t.elements, nil)
	return elementValue{t, len(t.elements) - 1}, nil
}

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
	m.t.members[m.name] = m.t.data[v.Start:v.End]
	return nil
}

// elementValue stores the raw bytes of one top-level element.
type elementValue struct {
	t *topLevel
	i int
}

func (e elementValue) Member(string) (Visitor, error) { return nil, nil }
func (e elementValue) Element(int) (Visitor, error)   { return nil, nil }
func (e elementValue) Value(v Value) error {
	e.t.elements[e.i] = e.t.data[v.Start:v.End]
	return nil
}
