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
	cursors []cursor // where Member takes its cursors from, a chunk at a time
}

// cursorChunk is how many cursors the walk allocates at once: a
// descriptor's members and headers usually fit in one chunk.
const cursorChunk = 16

// newCursor returns a cursor at (i, j) from the tree's current chunk,
// rather than allocating each one: a chunk, once full, is left to the
// cursors that point into it and a new one is started.
func (t *tree) newCursor(i, j int) *cursor {
	if len(t.cursors) == cap(t.cursors) {
		t.cursors = make([]cursor, 0, cursorChunk)
	}
	t.cursors = append(t.cursors, cursor{t: t, i: i, j: j})
	return &t.cursors[len(t.cursors)-1]
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
		if c.t.members == nil {
			c.t.members = make([]member, 0, 4) // a descriptor's or envelope's keys
		}
		c.t.members = append(c.t.members, member{name: name})
		return c.t.newCursor(len(c.t.members)-1, -1), nil
	case c.j < 0:
		top := &c.t.members[c.i]
		if top.members == nil {
			top.members = make([]member, 0, 8) // headers, usually a handful
		}
		top.members = append(top.members, member{name: name})
		return c.t.newCursor(c.i, len(top.members)-1), nil
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
