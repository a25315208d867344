//go:build js && wasm

package jsbridge

import (
	"encoding/binary"
	"unsafe"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// Memory calls: synchronous Go functions that index.js calls through the
// module's own WebAssembly exports, with bytes in linear memory, instead
// of through syscall/js. A js.FuncOf call pays for the event hand-over, a
// map lookup, and one Value and finalizer per argument and per result: a
// string round trip cost 43 µs that way against 6 µs as an export in Node,
// and bench/probe times 0.015 against 0.005 ms in Chromium. The split seal
// makes one or two such calls per seal, where that difference was most of
// Go's share.
// syscall/js has no such path, hence these few lines.
//
// The protocol, all synchronous (sealbridge_ names are the exports):
//  1. sealbridge_input(size) returns where to write at most size bytes of
//     input (0: size is over MaxMemInput);
//  2. the caller writes n ≤ size bytes there and calls
//     sealbridge_call(slot, n), which runs the handler registered at slot
//     on them, wipes them, and returns the length of its output, or
//     -(length+1) when the output is an error: the code's length (4 bytes,
//     big-endian), the code, then the message, in UTF-8;
//  3. sealbridge_output() returns where that output is; the caller copies
//     it and may zero it. It stays there until the next call, which wipes
//     it first.
//
// A handler runs inside the export call, like a Sync handler: it must not
// block, and a goroutine it wakes runs only at the runtime's next turn
// (or while the handler waits, if the runtime parks it: then another
// memory call may start and end meanwhile, with buffers of its own).

// MemHandler is the Go side of a memory call. in is valid during the call
// only (it is wiped afterwards): keep a copy of what must outlive it. The
// returned bytes belong to jsbridge, which wipes them at the next call.
type MemHandler func(in []byte) ([]byte, error)

// MaxMemInput bounds one memory call's input.
const MaxMemInput = 16 << 20

// keptInput is the largest input buffer kept from one call to the next.
// The usual calls (a seal's output, a form) fit in it and reuse it,
// allocating nothing; a larger buffer (a big document, up to MaxMemInput)
// is given back once its call is done rather than held for the page's
// lifetime, and the next call allocates what it needs.
const keptInput = 64 << 10

var (
	memHandlers []MemHandler
	memIn       []byte
	memOut      []byte
)

// Mem registers h and exports its slot number (not a function) as name;
// index.js calls it through the exports.
func (n *Namespace) Mem(name string, h MemHandler) error {
	memHandlers = append(memHandlers, h)
	return n.obj.Set(name, len(memHandlers)-1)
}

//go:wasmexport sealbridge_input
func memInput(size int32) unsafe.Pointer {
	if size <= 0 || size > MaxMemInput {
		return nil
	}
	if int(size) > cap(memIn) {
		memIn = make([]byte, size)
	}
	return unsafe.Pointer(unsafe.SliceData(memIn[:cap(memIn)]))
}

//go:wasmexport sealbridge_call
func memCall(slot, n int32) int32 {
	clear(memOut)
	memOut = nil
	if n < 0 || int(n) > cap(memIn) {
		return memError(sberr.New(sberr.Internal, "memory call: %d bytes of input is not what sealbridge_input gave", n))
	}
	// The handler has the buffer to itself until it returns. Should it
	// wait (an allocation that assists the garbage collector parks it),
	// other goroutines run meanwhile, and one may make a memory call of
	// its own (a page callback Go calls that seals): that call gets a
	// buffer of its own from sealbridge_input instead of this one.
	in, own := memIn[:n], memIn
	memIn = nil
	defer func() {
		clear(in)
		if cap(own) > keptInput {
			own = nil // wiped above; the garbage collector takes it back
		}
		memIn = own
	}()
	out, err := runMem(slot, in)
	if err != nil {
		return memError(err)
	}
	memOut = out
	return int32(len(out))
}

//go:wasmexport sealbridge_output
func memOutput() unsafe.Pointer {
	return unsafe.Pointer(unsafe.SliceData(memOut))
}

// runMem runs the handler at slot; a panic becomes an internal error, as
// in every export.
func runMem(slot int32, in []byte) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, sberr.New(sberr.Internal, "sealbridge crashed in a memory call: %v (please report this bug)", r)
		}
	}()
	if slot < 0 || int(slot) >= len(memHandlers) {
		return nil, sberr.New(sberr.Internal, "memory call: no function at slot %d", slot)
	}
	return memHandlers[slot](in)
}

func memError(err error) int32 {
	e := sberr.As(err)
	b := binary.BigEndian.AppendUint32(nil, uint32(len(e.Code)))
	b = append(append(b, e.Code...), e.Message...)
	memOut = b
	return -int32(len(b)) - 1
}

// ReadUint32 reads a big-endian number at the front of b, as index.js
// frames a memory call's input, and returns the rest.
func ReadUint32(b []byte) (uint32, []byte, bool) {
	if len(b) < 4 {
		return 0, nil, false
	}
	return binary.BigEndian.Uint32(b), b[4:], true
}
