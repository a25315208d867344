package strictjson

// names are the member names an object has had so far, under their Fold
// keys. Most objects have a few members, which are compared one by one
// (no map to allocate); past smallObject they go into a map, so that a
// large object is not read in quadratic time.
type names struct {
	small [smallObject]named
	n     int
	big   map[string]string // Fold(name) -> name, once n > smallObject
}

type named struct{ key, name string }

const smallObject = 8

// add records name and reports whether an earlier name has its key: then
// it returns that name and records nothing.
func (s *names) add(name string) (prev string, dup bool) {
	key := Fold(name)
	if s.big != nil {
		if prev, dup = s.big[key]; !dup {
			s.big[key] = name
		}
		return prev, dup
	}
	for _, m := range s.small[:s.n] {
		if m.key == key {
			return m.name, true
		}
	}
	if s.n < smallObject {
		s.small[s.n] = named{key, name}
		s.n++
		return "", false
	}
	s.big = make(map[string]string, 2*smallObject)
	for _, m := range s.small {
		s.big[m.key] = m.name
	}
	s.big[key] = name
	return "", false
}
