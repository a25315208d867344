package seal

import (
	"strconv"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// errOutOfSync is returned if the scanner meets text that json.Unmarshal
// accepted but it does not understand: a bug, never a panic.
var errOutOfSync = sberr.New(sberr.Internal, "the JSON scanner lost its place in the document")

// scanner walks a document that json.Unmarshal has already validated,
// following the trie and recording the byte span of each target.
type scanner struct {
	data []byte
	pos  int
}

func (s *scanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte without consuming it.
func (s *scanner) peek() (byte, error) {
	s.ws()
	if s.pos >= len(s.data) {
		return 0, errOutOfSync
	}
	return s.data[s.pos], nil
}

// expect consumes byte c after optional space.
func (s *scanner) expect(c byte) error {
	got, err := s.peek()
	if err != nil || got != c {
		return errOutOfSync
	}
	s.pos++
	return nil
}

// walk scans one value. With a nil node the value is off every pointer's
// path and is skipped.
func (s *scanner) walk(n *node) error {
	if n == nil {
		return s.skip()
	}
	c, err := s.peek()
	if err != nil {
		return err
	}
	n.reached, n.kind = true, c
	if f := n.target; f != nil {
		return s.target(f, c)
	}
	switch c {
	case '{':
		return s.object(n)
	case '[':
		return s.array(n)
	default:
		return s.skip()
	}
}

func (s *scanner) target(f *field, c byte) error {
	if c != '"' {
		return pointerError(f.ptr.raw, "is %s, not a string; only string values can be sealed", kindOf(c))
	}
	f.start = s.pos
	if err := s.skipString(); err != nil {
		return err
	}
	f.end = s.pos
	plain, err := decodeString(s.data[f.start:f.end])
	if err != nil {
		return pointerError(f.ptr.raw, "%v", err)
	}
	if len(plain) > MaxPlaintext {
		e := tooLarge(len(plain))
		e.Message = "pointer " + quotePointer(f.ptr.raw) + ": " + e.Message
		return e
	}
	f.plain, f.found = plain, true
	return nil
}

func (s *scanner) object(n *node) error {
	s.pos++ // '{'
	var seen map[string]bool
	for first := true; ; first = false {
		c, err := s.peek()
		if err != nil {
			return err
		}
		if c == '}' {
			s.pos++
			return nil
		}
		if !first {
			if err := s.expect(','); err != nil {
				return err
			}
			s.ws()
		}
		start := s.pos
		if err := s.skipString(); err != nil {
			return err
		}
		var child *node
		// A name that does not decode (broken UTF-8, a lone surrogate)
		// cannot equal a pointer token, which is a Go string from the caller.
		if name, err := decodeString(s.data[start:s.pos]); err == nil {
			if child = n.children[string(name)]; child != nil {
				if seen[string(name)] {
					return pointerError(child.via, "member %q appears twice in one object, so the document is ambiguous (a reader might take the copy left in clear); remove the duplicate", name)
				}
				if seen == nil {
					seen = map[string]bool{}
				}
				seen[string(name)] = true
			}
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := s.walk(child); err != nil {
			return err
		}
	}
}

func (s *scanner) array(n *node) error {
	s.pos++ // '['
	for i := 0; ; i++ {
		c, err := s.peek()
		if err != nil {
			return err
		}
		if c == ']' {
			s.pos++
			n.length = i
			return nil
		}
		if i > 0 {
			if err := s.expect(','); err != nil {
				return err
			}
		}
		var child *node
		if len(n.children) > 0 {
			child = n.children[strconv.Itoa(i)]
		}
		if err := s.walk(child); err != nil {
			return err
		}
	}
}

// skip consumes one value of any kind.
func (s *scanner) skip() error {
	depth := 0
	for {
		c, err := s.peek()
		if err != nil {
			return err
		}
		switch c {
		case '"':
			if err := s.skipString(); err != nil {
				return err
			}
		case '{', '[':
			depth++
			s.pos++
			continue
		case '}', ']':
			depth--
			s.pos++
		case ',', ':':
			s.pos++
			continue
		default: // number, true, false, null
			for s.pos < len(s.data) && !endsLiteral(s.data[s.pos]) {
				s.pos++
			}
		}
		if depth <= 0 {
			return nil
		}
	}
}

// skipString consumes a string literal starting at its opening quote.
func (s *scanner) skipString() error {
	if s.pos >= len(s.data) || s.data[s.pos] != '"' {
		return errOutOfSync
	}
	for s.pos++; s.pos < len(s.data); s.pos++ {
		switch s.data[s.pos] {
		case '\\':
			s.pos++
		case '"':
			s.pos++
			return nil
		}
	}
	return errOutOfSync
}

// endsLiteral reports whether c ends a number or a true/false/null literal.
func endsLiteral(c byte) bool {
	switch c {
	case ',', ']', '}', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}
