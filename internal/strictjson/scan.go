package strictjson

// Limits bound a document. A zero or negative field means the matching
// field of DefaultLimits.
type Limits struct {
	MaxBytes int // longest document, in bytes
	MaxDepth int // deepest nesting of objects and arrays; the top-level value is depth 1
}

// DefaultLimits are 1 MiB and 64 levels: more than any form or API body
// Sealbridge carries, and a bound on the scanner's recursion.
var DefaultLimits = Limits{MaxBytes: 1 << 20, MaxDepth: 64}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultLimits.MaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	return l
}

// Kind is the kind of a JSON value, named by its first byte.
type Kind byte

const (
	Object Kind = '{'
	Array  Kind = '['
	String Kind = '"'
	Number Kind = '0'
	Bool   Kind = 't'
	Null   Kind = 'n'
)

// String names the kind for messages: "an object", "a string", "null"...
func (k Kind) String() string {
	switch k {
	case Object:
		return "an object"
	case Array:
		return "an array"
	case String:
		return "a string"
	case Bool:
		return "a boolean"
	case Null:
		return "null"
	case Number:
		return "a number"
	}
	return "empty"
}

// KindAt returns the kind of the value data starts with (after white
// space), from its first byte alone; 0 for empty data.
func KindAt(data []byte) Kind {
	for _, c := range data {
		if !isSpace(c) {
			return kindOf(c)
		}
	}
	return 0
}

func kindOf(c byte) Kind {
	switch c {
	case '{', '[', '"', 'n':
		return Kind(c)
	case 't', 'f':
		return Bool
	}
	return Number
}

// Value is one value of a document, as reported to a Visitor.
type Value struct {
	Kind       Kind
	Start, End int // byte span in the document; a string's includes its quotes
	Len        int // number of members or elements, for objects and arrays
}

// A Visitor follows a document as Walk reads it. Walk calls Member for
// each member of an object (after the rule set accepted its name) and
// Element for each element of an array; the Visitor they return, nil to
// look no further, sees that value. Value is called once a value has been
// read, its members or elements included. An error from a Visitor stops
// the walk and is returned as it is.
type Visitor interface {
	Member(name string) (Visitor, error)
	Element(index int) (Visitor, error)
	Value(v Value) error
}

// Validate reads data as one JSON document under the rule set.
func Validate(data []byte) error { return DefaultLimits.Walk(data, nil) }

// Validate reads data as one JSON document under the rule set and l.
func (l Limits) Validate(data []byte) error { return l.Walk(data, nil) }

// Walk reads data as one JSON document under the rule set and l, telling
// v (which may be nil) what it finds. A broken rule is an *Error; what v
// has seen before it may belong to a document that is then refused.
func (l Limits) Walk(data []byte, v Visitor) error {
	l = l.withDefaults()
	// The path and the decoded member names start with room for a small
	// document (a descriptor, a form's fields) rather than each grown
	// from nothing on every call.
	s := &scanner{data: data, lim: l, path: make([]step, 0, 8), scratch: make([]byte, 0, 64)}
	if len(data) > l.MaxBytes {
		return s.fail(ErrTooLarge)
	}
	s.skipSpace()
	if err := s.value(v, 1); err != nil {
		return err
	}
	s.skipSpace()
	if s.pos < len(s.data) {
		return s.fail(ErrTrailingData)
	}
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
