package strictjson

import "strconv"

// scanner is a recursive-descent reader of one document. Recursion is
// bounded by Limits.MaxDepth; every rule is checked in this one pass.
type scanner struct {
	data    []byte
	pos     int
	lim     Limits
	path    []step // the value being read, for errors
	scratch []byte // decoded member names, reused (never a value)
}

// step is one reference token of the path: a member name or an index.
type step struct {
	name  string
	index int // -1 for a member
}

func (s *scanner) tokens() []string {
	out := make([]string, len(s.path))
	for i, st := range s.path {
		if st.index < 0 {
			out[i] = st.name
		} else {
			out[i] = strconv.Itoa(st.index)
		}
	}
	return out
}

func (s *scanner) fail(rule error) *Error {
	if rule == ErrSyntax && s.pos >= len(s.data) {
		rule = ErrUnexpectedEnd
	}
	return &Error{Err: rule, Offset: s.pos, Path: s.tokens()}
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) && isSpace(s.data[s.pos]) {
		s.pos++
	}
}

func (s *scanner) value(v Visitor, depth int) error {
	if s.pos >= len(s.data) {
		return s.fail(ErrUnexpectedEnd)
	}
	if depth > s.lim.MaxDepth {
		return s.fail(ErrTooDeep)
	}
	start, c := s.pos, s.data[s.pos]
	n, err := 0, error(nil)
	switch {
	case c == '{':
		n, err = s.object(v, depth)
	case c == '[':
		n, err = s.array(v, depth)
	case c == '"':
		if e := s.checkStr(); e != nil {
			err = e // a nil *Error must not become a non-nil error
		}
	case c == 't':
		err = s.literal("true")
	case c == 'f':
		err = s.literal("false")
	case c == 'n':
		err = s.literal("null")
	case c == '-' || ('0' <= c && c <= '9'):
		err = s.number()
	default:
		err = s.fail(ErrSyntax)
	}
	if err != nil || v == nil {
		return err
	}
	return v.Value(Value{Kind: kindOf(c), Start: start, End: s.pos, Len: n})
}

// object reads an object and checks its member names against each other:
// no duplicate, no two equal after folding.
func (s *scanner) object(v Visitor, depth int) (int, error) {
	s.pos++ // '{'
	var seen names
	for n := 0; ; n++ {
		s.skipSpace()
		if n == 0 && s.pos < len(s.data) && s.data[s.pos] == '}' {
			s.pos++
			return 0, nil
		}
		name, err := s.memberName()
		if err != nil {
			return 0, err
		}
		if prev, dup := seen.add(name); dup {
			return 0, s.twin(name, prev)
		}
		child, err := s.enterMember(v, name)
		if err != nil {
			return 0, err
		}
		s.skipSpace()
		if err := s.value(child, depth+1); err != nil {
			return 0, err
		}
		s.path = s.path[:len(s.path)-1]
		if done, err := s.next('}'); done || err != nil {
			return n + 1, err
		}
	}
}

// memberName reads `"name" :` and returns the decoded name.
func (s *scanner) memberName() (string, error) {
	if s.pos >= len(s.data) || s.data[s.pos] != '"' {
		return "", s.fail(ErrSyntax)
	}
	b, err := s.str()
	if err != nil {
		err.InName = true
		return "", err
	}
	name := string(b)
	s.skipSpace()
	if s.pos >= len(s.data) || s.data[s.pos] != ':' {
		return "", s.fail(ErrSyntax)
	}
	s.pos++
	return name, nil
}

func (s *scanner) twin(name, prev string) *Error {
	e := s.fail(ErrFoldTwin)
	if name == prev {
		e.Err = ErrDuplicate
	}
	e.InName, e.Name, e.Other = true, name, prev
	return e
}

func (s *scanner) enterMember(v Visitor, name string) (Visitor, error) {
	s.path = append(s.path, step{name: name, index: -1})
	if v == nil {
		return nil, nil
	}
	return v.Member(name)
}

func (s *scanner) array(v Visitor, depth int) (int, error) {
	s.pos++ // '['
	for n := 0; ; n++ {
		s.skipSpace()
		if n == 0 && s.pos < len(s.data) && s.data[s.pos] == ']' {
			s.pos++
			return 0, nil
		}
		s.path = append(s.path, step{index: n})
		var child Visitor
		if v != nil {
			var err error
			if child, err = v.Element(n); err != nil {
				return 0, err
			}
		}
		if err := s.value(child, depth+1); err != nil {
			return 0, err
		}
		s.path = s.path[:len(s.path)-1]
		if done, err := s.next(']'); done || err != nil {
			return n + 1, err
		}
	}
}

// next consumes the ',' between two members or elements, or the closing
// byte, which ends the container (done).
func (s *scanner) next(closing byte) (done bool, err error) {
	s.skipSpace()
	if s.pos >= len(s.data) {
		return false, s.fail(ErrUnexpectedEnd)
	}
	switch s.data[s.pos] {
	case ',':
		s.pos++
		return false, nil
	case closing:
		s.pos++
		return true, nil
	}
	return false, s.fail(ErrSyntax)
}

func (s *scanner) literal(word string) error {
	for i := 0; i < len(word); i++ {
		if s.pos >= len(s.data) || s.data[s.pos] != word[i] {
			return s.fail(ErrSyntax)
		}
		s.pos++
	}
	return nil
}

// number reads an RFC 8259 number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() error {
	if s.peek() == '-' {
		s.pos++
	}
	switch c := s.peek(); {
	case c == '0':
		s.pos++
	case '1' <= c && c <= '9':
		s.digits()
	default:
		return s.fail(ErrSyntax)
	}
	if s.peek() == '.' {
		s.pos++
		if s.digits() == 0 {
			return s.fail(ErrSyntax)
		}
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.pos++
		if c := s.peek(); c == '+' || c == '-' {
			s.pos++
		}
		if s.digits() == 0 {
			return s.fail(ErrSyntax)
		}
	}
	return nil
}

func (s *scanner) peek() byte {
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}
	return 0
}

func (s *scanner) digits() int {
	start := s.pos
	for s.pos < len(s.data) && '0' <= s.data[s.pos] && s.data[s.pos] <= '9' {
		s.pos++
	}
	return s.pos - start
}

// str reads the string literal at s.pos and returns it decoded, in scratch
// space that the next call reuses. It is for member names: the rule set
// compares them decoded.
func (s *scanner) str() ([]byte, *Error) {
	out, end, rule := unquote(s.data, s.pos, s.scratch[:0], true)
	s.scratch = out
	s.pos = end
	if rule != nil {
		return nil, s.fail(rule)
	}
	return out, nil
}

// checkStr reads the string literal at s.pos, a value, under the same
// rules as str without decoding it: a value may be a credential, and a
// decoded copy in the scanner's buffers would outlive the call, unwiped.
// Whoever needs the value decodes it from its span (Unquote).
func (s *scanner) checkStr() *Error {
	_, end, rule := unquote(s.data, s.pos, nil, false)
	s.pos = end
	if rule != nil {
		return s.fail(rule)
	}
	return nil
}
