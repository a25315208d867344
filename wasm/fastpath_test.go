//go:build js && wasm

package main

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/jsbridge"
	"github.com/sealbridge/sealbridge/wasm/api"
	"github.com/sealbridge/sealbridge/wasm/sberr"
	"github.com/sealbridge/sealbridge/wasm/seal"
	"github.com/sealbridge/sealbridge/wasm/webcrypto"
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

// The memory calls' inputs come from index.js, but nothing in them is
// trusted: a short, inconsistent or unknown input is refused with an error
// that says nothing was sealed, and a WebCrypto failure comes back with
// its message.
func TestSplitSealRefusesMalformedInput(t *testing.T) {
	split := splitSealWithKey(t)
	doc := []byte(`{"p":"s3cret"}`)
	plan := planInput(doc, `["/p"]`)
	cases := []struct {
		name string
		call func([]byte) ([]byte, error)
		in   []byte
		code sberr.Code
		msg  string
	}{
		{"finishSeal: empty", split.finishSeal, nil, sberr.Internal, "malformed input"},
		{"finishSeal: no outcome", split.finishSeal, u32(0, 6), sberr.Internal, "malformed input"},
		{"finishSeal: unknown handle", split.finishSeal, append(u32(7, 6), 0), sberr.InvalidArgument, "unknown key"},
		{"finishSeal: WebCrypto failed", split.finishSeal, append(append(u32(0, 6), 1), "the device is gone"...), sberr.Internal, "WebCrypto failed: the device is gone; nothing was sealed"},
		{"finishSeal: output too short", split.finishSeal, append(u32(0, 6), 0, 1, 2), sberr.Internal, ""},
		{"planFields: empty", split.planFields, nil, sberr.Internal, "malformed input"},
		{"planFields: document past the input", split.planFields, append(u32(0, 99), doc...), sberr.Internal, "malformed input"},
		{"planFields: unknown handle", split.planFields, append(u32(7), plan[4:]...), sberr.InvalidArgument, "unknown key"},
		{"planFields: pointers not JSON", split.planFields, append(u32(0, uint32(len(doc))), append(doc, "/p"...)...), sberr.InvalidArgument, ""},
		{"finishFields: unknown plan", split.finishFields, append(u32(12345), 0), sberr.Internal, "no such sealFields call pending"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := c.call(c.in)
			e := sberr.As(err)
			if err == nil || e.Code != c.code || !strings.Contains(e.Message, c.msg) {
				t.Fatalf("got %q, %v; want %s containing %q", out, err, c.code, c.msg)
			}
		})
	}
}

// A plan whose sealed values come back unframed or failed is refused, and
// used up: it cannot be finished twice.
func TestSplitSealPlanIsUsedUpWhenRefused(t *testing.T) {
	split := splitSealWithKey(t)
	plan := planInput([]byte(`{"p":"s3cret"}`), `["/p"]`)
	for _, tail := range [][]byte{{0, 1, 2, 3}, append([]byte{1}, "gone"...)} {
		framed, err := split.planFields(plan)
		if err != nil {
			t.Fatal(err)
		}
		id := framed[:4]
		if _, err := split.finishFields(append(bytes.Clone(id), tail...)); err == nil {
			t.Fatalf("finishFields accepted %q", tail)
		}
		if _, err := split.finishFields(append(bytes.Clone(id), 0, 0, 0, 0, 1)); err == nil || !strings.Contains(err.Error(), "no such") {
			t.Fatalf("a refused plan could be finished again: %v", err)
		}
	}
}

// splitSealWithKey is a split seal that has issued handle 0, for the
// warm-up's made-up key.
func splitSealWithKey(t *testing.T) *splitSeal {
	t.Helper()
	shim := api.New(nil, webcrypto.Crypto{})
	split := newSplitSeal(shim)
	jwk, err := jsbridge.ParseJSON(warmUpJWK())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := importKey(shim, split, []safejs.Value{jwk}); err != nil {
		t.Fatal(err)
	}
	return split
}

func u32(vs ...uint32) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	return b
}

// planInput is planFields' input for handle 0, as seal.js frames it.
func planInput(doc []byte, pointers string) []byte {
	return append(append(u32(0, uint32(len(doc))), doc...), pointers...)
}

// frame writes planFields' output, the values in clear, into one buffer
// grown once: a buffer grown value by value leaves every smaller copy of
// the values it held behind in the heap, where nothing wipes them.
func TestFrameGrowsItsBufferOnce(t *testing.T) {
	values := [][]byte{bytes.Repeat([]byte("a"), 100), bytes.Repeat([]byte("b"), 3000), []byte("c"), bytes.Repeat([]byte("d"), 70000)}
	for _, out := range [][]byte{nil, u32(7)} {
		want := 1.0 // the framed values
		if out != nil {
			want++ // the clone of out
		}
		if n := testing.AllocsPerRun(20, func() { frame(bytes.Clone(out), values) }); n != want {
			t.Errorf("frame(%x, values) allocates %v times, want %v", out, n, want)
		}
	}
}

// planFields keeps a copy of the document, credentials included, for its
// plan; finishFields wipes it. A plan refused on the spot (any rule of
// sealFields, or too many plans pending) is wiped too, before the error
// or the fallback to the ordinary export.
func TestSplitSealWipesARefusedPlan(t *testing.T) {
	split := splitSealWithKey(t)
	h := split.handles[0]
	cases := map[string]struct{ doc, ptrs string }{
		"no pointers":               {`{"p":"s3cret"}`, ``},
		"no such member":            {`{"p":"s3cret"}`, `/q`},
		"not a string":              {`{"p":"s3cret","n":1}`, `/p,/n`},
		"case twin":                 {`{"p":"s3cret","P":"s3cret"}`, `/p`},
		"not JSON":                  {`{"p":"s3cret"`, `/p`},
		"second value is too large": {`{"p":"s3cret","q":"` + strings.Repeat("x", 64<<10+1) + `"}`, `/p,/q`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			doc := []byte(c.doc)
			var ptrs []string
			if c.ptrs != "" {
				ptrs = strings.Split(c.ptrs, ",")
			}
			if out, err := split.plan(h, doc, ptrs); err == nil {
				t.Fatalf("planned: %q", out)
			}
			if !bytes.Equal(doc, make([]byte, len(doc))) {
				t.Fatalf("the refused document is still in memory: %.40q", doc)
			}
		})
	}
	t.Run("too many plans pending", func(t *testing.T) {
		for range maxPendingPlans - len(split.plans) {
			split.addPlan(&seal.FieldsPlan{})
		}
		doc := []byte(`{"p":"s3cret"}`)
		if out, err := split.plan(h, doc, []string{"/p"}); err != nil || out != nil {
			t.Fatalf("got %q, %v; want nothing (the ordinary export then seals)", out, err)
		}
		if !bytes.Equal(doc, make([]byte, len(doc))) {
			t.Fatalf("the plan not kept is still in memory: %q", doc)
		}
	})
}

// Plan numbers wrap; a number still pending is never given again, so a
// late finishFields cannot finish another call's plan (another document).
func TestPlanNumbersSkipThosePending(t *testing.T) {
	split := splitSealWithKey(t)
	pending := &seal.FieldsPlan{}
	first, _ := split.addPlan(pending)
	split.nextPlan = first - 1 + 1<<30 // the next number wraps to first
	for range 3 {
		id, ok := split.addPlan(&seal.FieldsPlan{})
		if !ok || id == first {
			t.Fatalf("addPlan gave %d (ok %v), the number of a plan still pending", id, ok)
		}
	}
	if p, _ := split.takePlan(first); p != pending {
		t.Fatal("the pending plan was replaced")
	}
}

// planFields keeps the last pointer list it read; a different list, or the
// same one after a refused one, is read again, never mistaken for it.
func TestPlanFieldsReadsEachPointerList(t *testing.T) {
	split := splitSealWithKey(t)
	doc := []byte(`{"p":"one","q":"two"}`)
	for _, c := range []struct {
		pointers string
		want     string // the framed values' tail, "" for a refusal
	}{
		{`["/p"]`, "one"}, {`["/p"]`, "one"}, {`["/q"]`, "two"}, {`["/p",1]`, ""}, {`["/q"]`, "two"}, {`["/p"]`, "one"},
	} {
		out, err := split.planFields(planInput(bytes.Clone(doc), c.pointers))
		if c.want == "" {
			if err == nil {
				t.Fatalf("%s: accepted", c.pointers)
			}
			continue
		}
		if err != nil || !bytes.HasSuffix(out, []byte(c.want)) {
			t.Fatalf("%s: planned %q, %v; want the value %q", c.pointers, out, err, c.want)
		}
	}
}
