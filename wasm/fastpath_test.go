//go:build js && wasm

package main

import (
	"bytes"
	"testing"
)

// unframe reads back exactly what frame wrote, and refuses anything that
// is not exactly framed values: the split sealFields hands Go its sealed
// values this way.
func TestUnframe(t *testing.T) {
	values := [][]byte{[]byte("one"), {}, bytes.Repeat([]byte{7}, 300)}
	framed := frame(nil, values)
	got, ok := unframe(framed)
	if !ok || len(got) != len(values) {
		t.Fatalf("unframe(frame(v)) = %v, %v", got, ok)
	}
	for i := range values {
		if !bytes.Equal(got[i], values[i]) {
			t.Fatalf("value %d: got %q", i, got[i])
		}
	}
	for name, b := range map[string][]byte{
		"empty":            nil,
		"count only, 1":    {0, 0, 0, 1},
		"one byte short":   framed[:len(framed)-1],
		"one byte more":    append(append([]byte(nil), framed...), 0),
		"length past end":  {0, 0, 0, 1, 0, 0, 0, 9, 'a'},
		"huge length":      {0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff},
		"too many values":  {0, 0, 0x10, 0},
		"truncated length": {0, 0, 0, 1, 0, 0},
	} {
		if _, ok := unframe(b); ok {
			t.Errorf("%s: unframe accepted %x", name, b)
		}
	}
}

// The split sealFields reads its pointers from JSON text with the same
// rules as the ordinary export: an array of strings, no lone surrogate.
func TestPointersFromJSON(t *testing.T) {
	got, err := pointersFromJSON([]byte(`["/a","/b~1c","",  "/\u00e9"]`), "p")
	if err != nil || len(got) != 4 || got[1] != "/b~1c" || got[2] != "" || got[3] != "/é" {
		t.Fatalf("got %q, %v", got, err)
	}
	if got, err := pointersFromJSON([]byte(`[]`), "p"); err != nil || len(got) != 0 {
		t.Fatalf("empty list: %q, %v", got, err)
	}
	for _, bad := range []string{`{}`, `"/a"`, `["/a",1]`, `[["/a"]]`, `["/a",null]`, `["/a"] x`, `["/a"`, ``, `[{"a":"b"}]`} {
		if got, err := pointersFromJSON([]byte(bad), "p"); err == nil {
			t.Errorf("%s: accepted as %q", bad, got)
		}
	}
	_, err = pointersFromJSON([]byte(`["/ok","/a\ud800"]`), "p")
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("index 1 holds an unpaired UTF-16 surrogate")) {
		t.Fatalf("lone surrogate: %v", err)
	}
}
