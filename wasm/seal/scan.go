package seal

import (
	"strconv"

	"github.com/sealbridge/sealbridge/internal/strictjson"
)

// node is one step of the pointers, merged into a trie so that a single
// walk of the document serves them all. It follows the document as a
// strictjson.Visitor, so the sealer reads exactly what the rule set
// accepts, and matches member names the way every reader does: a member
// whose name equals a pointer token only after Unicode case folding is a
// reader's candidate for that token, and is refused.
type node struct {
	children map[string]*node
	folded   map[string]*node // Fold(token) -> child
	token    string           // the reference token that leads here
	target   *field
	via      string // the first pointer through this node, for messages
	// Filled in by the walk, to explain pointers that were not found.
	reached bool
	kind    strictjson.Kind
	length  int // element count, for arrays
}

func (n *node) child(token, via string) *node {
	if c := n.children[token]; c != nil {
		return c
	}
	if n.children == nil {
		n.children, n.folded = map[string]*node{}, map[string]*node{}
	}
	c := &node{token: token, via: via}
	n.children[token] = c
	if key := strictjson.Fold(token); n.folded[key] == nil {
		n.folded[key] = c
	}
	return c
}

// Member returns the child the member's name leads to, or refuses a name
// that differs from a pointer token only by case folding: a provider that
// matches names case-insensitively would read it as the sealed member.
func (n *node) Member(name string) (strictjson.Visitor, error) {
	if c := n.children[name]; c != nil {
		return c, nil
	}
	if twin := n.folded[strictjson.Fold(name)]; twin != nil {
		return nil, pointerError(twin.via, "member %s is the member %s to a reader that compares names after Unicode case folding (as encoding/json does), so it could be read in clear as the sealed one; name it exactly as the pointer does, or fix the pointer",
			strictjson.Quote(name), strictjson.Quote(twin.token))
	}
	return nil, nil // off every pointer's path (a nil *node would not be a nil Visitor)
}

func (n *node) Element(i int) (strictjson.Visitor, error) {
	if c := n.children[strconv.Itoa(i)]; c != nil {
		return c, nil
	}
	return nil, nil
}

// Value records what the walk found here and, for a target, where its
// string literal is and what it holds.
func (n *node) Value(v strictjson.Value) error {
	n.reached, n.kind, n.length = true, v.Kind, v.Len
	f := n.target
	if f == nil {
		return nil
	}
	if v.Kind != strictjson.String {
		return pointerError(f.ptr.raw, "is %s, not a string; only string values can be sealed", v.Kind)
	}
	f.start, f.end, f.found = v.Start, v.End, true
	return nil
}
