package descriptor

import "github.com/sealbridge/sealbridge/internal/strictjson"

// member is one member of an object as the strict walk read it: its name
// (decoded), its value's kind and bytes, and, when the value is an object
// inside the top-level one, its own members. Descriptors and envelopes
// nest no deeper than that; a payload or body is kept as bytes.
type member struct {
	name    string
	kind    strictjson.Kind
	raw     []byte
	members []member
}

// tree is what the walk records: the top-level value's kind, its members
// and theirs.
type tree struct {
	data    []byte
	kind    strictjson.Kind
	members []member
}

// cursor is the strictjson.Visitor at one place of a tree: the top-level
// value (i < 0), one of its members (i, j < 0) or one of that member's
// (i, j). It holds indexes, not pointers: the slices move as they grow.
type cursor struct {
	t    *tree
	i, j int
}

func (c *cursor) Member(name string) (strictjson.Visitor, error) {
	switch {
	case c.i < 0:
		c.t.members = append(c.t.members, member{name: name})
		return &cursor{t: c.t, i: len(c.t.members) - 1, j: -1}, nil
	case c.j < 0:
		top := &c.t.members[c.i]
		top.members = append(top.members, member{name: name})
		return &cursor{t: c.t, i: c.i, j: len(top.members) - 1}, nil
	}
	return nil, nil
}

func (c *cursor) Element(int) (strictjson.Visitor, error) { return nil, nil }

func (c *cursor) Value(v strictjson.Value) error {
	switch {
	case c.i < 0:
		c.t.kind = v.Kind
	case c.j < 0:
		m := &c.t.members[c.i]
		m.kind, m.raw = v.Kind, c.t.data[v.Start:v.End]
	default:
		m := &c.t.members[c.i].members[c.j]
		m.kind, m.raw = v.Kind, c.t.data[v.Start:v.End]
	}
	return nil
}
