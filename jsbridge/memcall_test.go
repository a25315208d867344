//go:build js && wasm

package jsbridge

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// memRoundTrip does what seal.js does around one memory call, through the
// same three exported functions: it returns the output (a copy), whether
// Go called it an error, and Go's view of the input buffer afterwards.
func memRoundTrip(t *testing.T, slot int32, in []byte) ([]byte, bool, []byte) {
	t.Helper()
	at := memInput(int32(max(len(in), 1)))
	if at == nil {
		t.Fatalf("memInput(%d) refused", len(in))
	}
	buf := unsafe.Slice((*byte)(at), len(in))
	copy(buf, in)
	r := memCall(slot, int32(len(in)))
	n := int(r)
	if r < 0 {
		n = int(-r - 1)
	}
	out := bytes.Clone(unsafe.Slice((*byte)(memOutput()), n))
	return out, r < 0, buf
}

func registerMem(t *testing.T, h MemHandler) int32 {
	t.Helper()
	ns, err := NewNamespace()
	if err != nil {
		t.Fatal(err)
	}
	if err := ns.Mem("f", h); err != nil {
		t.Fatal(err)
	}
	slot, err := ns.Value().Get("f")
	if err != nil {
		t.Fatal(err)
	}
	n, err := slot.Int()
	if err != nil {
		t.Fatalf("the export is not a slot number: %v", err)
	}
	return int32(n)
}

func TestMemCallRunsTheHandlerAndWipesItsInput(t *testing.T) {
	var kept []byte
	slot := registerMem(t, func(in []byte) ([]byte, error) {
		kept = in
		return bytes.ToUpper(in), nil
	})
	out, isErr, buf := memRoundTrip(t, slot, []byte("s3cret value"))
	if isErr || string(out) != "S3CRET VALUE" {
		t.Fatalf("output %q (error %v), want the handler's", out, isErr)
	}
	if !bytes.Equal(buf, make([]byte, len(buf))) || !bytes.Equal(kept, make([]byte, len(kept))) {
		t.Fatalf("the input was not wiped after the call: %q", buf)
	}
	// The next call wipes the previous output before anything else.
	prev := unsafe.Slice((*byte)(memOutput()), len(out))
	if _, _, _ = memRoundTrip(t, slot, []byte("x")); !bytes.Equal(prev, make([]byte, len(prev))) {
		t.Fatalf("the previous output is still in memory: %q", prev)
	}
}

func TestMemCallErrorsAreCoded(t *testing.T) {
	cases := []struct {
		name    string
		h       MemHandler
		code    sberr.Code
		message string
	}{
		{"error", func([]byte) ([]byte, error) {
			return nil, sberr.New(sberr.InvalidArgument, `pointer "/a\"b": no such member`)
		}, sberr.InvalidArgument, `pointer "/a\"b": no such member`},
		{"panic", func([]byte) ([]byte, error) { panic("boom") }, sberr.Internal, "sealbridge crashed in a memory call: boom"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, isErr, _ := memRoundTrip(t, registerMem(t, c.h), []byte("in"))
			if !isErr {
				t.Fatalf("no error signalled; output %q", out)
			}
			n, rest, ok := ReadUint32(out)
			if !ok || int(n) > len(rest) || string(rest[:n]) != string(c.code) || !strings.HasPrefix(string(rest[n:]), c.message) {
				t.Fatalf("error %q, want code %s and message %q", out, c.code, c.message)
			}
		})
	}
}

func TestMemCallRefusesWhatItWasNotGiven(t *testing.T) {
	if memInput(MaxMemInput+1) != nil || memInput(0) != nil || memInput(-1) != nil {
		t.Fatal("memInput gave a buffer for a size out of bounds")
	}
	slot := registerMem(t, func(in []byte) ([]byte, error) { return in, nil })
	for _, n := range []int32{-1, int32(cap(memIn)) + 1} {
		if r := memCall(slot, n); r >= 0 {
			t.Errorf("memCall(slot, %d) = %d, want an error", n, r)
		}
	}
	if r := memCall(int32(len(memHandlers)), 0); r >= 0 {
		t.Errorf("a call to an unknown slot returned %d, want an error", r)
	}
}

// A handler that waits (an allocation that makes it assist the garbage
// collector parks it) lets other goroutines run inside the export call,
// and one of them may make a memory call of its own: a page callback Go
// calls that seals. Each call keeps its own input; both outputs are right.
func TestMemCallMadeWhileAHandlerWaitsKeepsBothInputs(t *testing.T) {
	other := make(chan []byte, 1)
	slot := registerMem(t, func(in []byte) ([]byte, error) {
		if string(in) == "other call" {
			return []byte("OTHER CALL"), nil
		}
		runtime.Gosched() // the wait: the goroutine below runs now
		return bytes.ToUpper(in), nil
	})
	go func() {
		out, _, _ := memRoundTrip(t, slot, []byte("other call"))
		other <- out
	}()
	out, isErr, buf := memRoundTrip(t, slot, []byte("s3cret value"))
	if isErr || string(out) != "S3CRET VALUE" {
		t.Errorf("the waiting call's output is %q (error %v), want %q", out, isErr, "S3CRET VALUE")
	}
	select {
	case got := <-other:
		if string(got) != "OTHER CALL" {
			t.Errorf("the other call's output is %q", got)
		}
	default:
		t.Fatal("the other goroutine did not run while the handler waited: this test shows nothing")
	}
	if !bytes.Equal(buf, make([]byte, len(buf))) {
		t.Errorf("the waiting call's input was not wiped: %q", buf)
	}
}

// One large call (a big document) does not pin its input buffer: past
// keptInput (64 KiB), the buffer is given back once the call is done, and
// the next small call gets a small one. Small calls keep theirs, so the
// usual call allocates nothing.
func TestMemCallGivesBackALargeInputBuffer(t *testing.T) {
	out := make([]byte, 2) // the same bytes each time (each call wipes them), so no allocation
	slot := registerMem(t, func([]byte) ([]byte, error) { return out, nil })
	for _, size := range []int{64<<10 + 1, 1 << 20, MaxMemInput} {
		in := bytes.Repeat([]byte{'x'}, size)
		if got, isErr, _ := memRoundTrip(t, slot, in); isErr || len(got) != len(out) {
			t.Fatalf("%d bytes: output %q (error %v)", size, got, isErr)
		}
		if cap(memIn) > keptInput {
			t.Fatalf("after a call of %d bytes, the input buffer keeps %d bytes", size, cap(memIn))
		}
	}
	small := func() {
		at := memInput(100)
		if at == nil || memCall(slot, 100) != int32(len(out)) {
			panic("the small call failed")
		}
	}
	small()
	if n := testing.AllocsPerRun(100, small); n != 0 {
		t.Fatalf("a small memory call allocates %v times, want 0", n)
	}
}
