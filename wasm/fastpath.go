//go:build js && wasm

package main

import (
	"bytes"
	"encoding/binary"
	"slices"
	"sync"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/jsbridge"
	"github.com/sealbridge/sealbridge/wasm/api"
	"github.com/sealbridge/sealbridge/wasm/sberr"
	"github.com/sealbridge/sealbridge/wasm/seal"
)

// splitSeal serves index.js's split seals (see wasm/seal/parts.go): for a
// key handle it returned, index.js does the cryptography itself with the
// key's CryptoKey and calls Go once, synchronously, to check the output
// and write the JWE (finishSeal), or twice for sealFields (planFields
// finds and checks the values, finishFields writes the document; see
// plans.go for how long a plan waits in between). Go keeps
// the key lookup, every rule and every error; anything else (a JWK given
// as the key, a value that is not a string, no crypto.subtle) takes the
// ordinary exports.
type splitSeal struct {
	shim *api.Shim

	mu         sync.Mutex
	ids        map[api.KeyHandle]int
	handles    []api.KeyHandle
	plans      map[int]pendingPlan
	nextPlan   int
	expired    map[int]bool     // plans dropped at their deadline, by number
	now        func() time.Time // time.Now; the tests move it
	deadline   time.Duration    // planDeadline; the tests shorten it
	sweep      *time.Timer      // drops the plans past their deadline; nil when none is pending
	sweepArmed int              // how many times sweep was armed (see armSweep)

	// The last pointer list planFields read, as JSON text and as strings:
	// a form sends the same list with every call, and the same bytes read
	// the same way, so the strict walk runs once per list.
	lastPointers     []byte
	lastPointersRead []string
}

// maxSealOutput bounds one seal's output: a 16,384-bit wrap, the IV, the
// largest plaintext and its tag.
const maxSealOutput = 2048 + 12 + seal.MaxPlaintext + 16

func newSplitSeal(shim *api.Shim) *splitSeal {
	return &splitSeal{shim: shim, ids: map[api.KeyHandle]int{}, plans: map[int]pendingPlan{}, expired: map[int]bool{}, now: time.Now, deadline: planDeadline}
}

// handle is the key handle fetchKey and importKey resolve with, plus, for a
// WebCrypto key, __sealer: {id, key, aad, max} for index.js, which removes
// it before the page sees the handle. key is the non-extractable
// CryptoKey: whoever holds it can seal to the provider, nothing more.
func (s *splitSeal) handle(h api.KeyHandle) (any, error) {
	v, err := safejs.ValueOf(handleValue(h))
	if err != nil {
		return nil, err
	}
	k, err := s.shim.Key(h)
	if err != nil {
		return nil, err
	}
	c, ok := k.Cipher().(*jsbridge.RSAOAEPKey)
	if !ok {
		return v, nil
	}
	key, aad, err := c.ForJS(k.AAD())
	if err != nil {
		return nil, err
	}
	sealer, err := safejs.ValueOf(map[string]any{"id": s.idOf(h), "max": seal.MaxPlaintext})
	if err != nil {
		return nil, err
	}
	if err := sealer.Set("key", key); err != nil {
		return nil, err
	}
	if err := sealer.Set("aad", aad); err != nil {
		return nil, err
	}
	return v, v.Set("__sealer", sealer)
}

// idOf numbers each handle once, so the table grows with the keys, not
// with the imports.
func (s *splitSeal) idOf(h api.KeyHandle) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.ids[h]; ok {
		return id
	}
	s.handles = append(s.handles, h)
	s.ids[h] = len(s.handles) - 1
	return len(s.handles) - 1
}

// handleOf looks up the handle numbered id; the key behind it is then
// looked up exactly as the ordinary exports do, so a key replaced since
// (same kid, other thumbprint) is refused the same way.
func (s *splitSeal) handleOf(id uint32) (api.KeyHandle, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if int64(id) >= int64(len(s.handles)) {
		return api.KeyHandle{}, sberr.New(sberr.InvalidArgument, "unknown key: pass a key returned by fetchKey or importKey")
	}
	return s.handles[id], nil
}

// finishSeal writes the JWE from the output of index.js's jweParts, or
// returns the WebCrypto failure as Go's error. Its input (a memory call,
// see jsbridge.Mem): the handle's number, the plaintext's length, then
// either 0 and the parts or 1 and the failure's message.
func (s *splitSeal) finishSeal(in []byte) ([]byte, error) {
	id, rest, ok1 := jsbridge.ReadUint32(in)
	n, rest, ok2 := jsbridge.ReadUint32(rest)
	if !ok1 || !ok2 || len(rest) == 0 {
		return nil, sberr.New(sberr.Internal, "finishSeal: malformed input; nothing was sealed")
	}
	h, err := s.handleOf(id)
	if err != nil {
		return nil, err
	}
	k, err := s.shim.Key(h)
	if err != nil {
		return nil, err
	}
	if err := failed(rest); err != nil {
		return nil, err
	}
	if len(rest)-1 > maxSealOutput {
		return nil, sberr.New(sberr.Internal, "finishSeal: %d bytes of sealed output is more than a seal makes", len(rest)-1)
	}
	return k.CompactParts(int(n), rest[1:])
}

// failed reads the flag byte index.js puts before the sealed output: 1
// when WebCrypto failed, followed by its message.
func failed(b []byte) error {
	if b[0] == 0 {
		return nil
	}
	return sberr.New(sberr.Internal, "WebCrypto failed: %s; nothing was sealed or sent", b[1:])
}

// planFields checks the document and the pointers as sealFields does and
// returns the plan's number and the values to seal, framed (see frame);
// nothing when too many plans are pending. Its input: the handle's
// number, the document's length, the document (JSON text), then the
// pointers (a JSON array).
func (s *splitSeal) planFields(in []byte) ([]byte, error) {
	id, rest, ok1 := jsbridge.ReadUint32(in)
	n, rest, ok2 := jsbridge.ReadUint32(rest)
	if !ok1 || !ok2 || int64(n) > int64(len(rest)) {
		return nil, sberr.New(sberr.Internal, "planFields: malformed input; nothing was sealed")
	}
	h, err := s.handleOf(id)
	if err != nil {
		return nil, err
	}
	ptrs, err := s.pointers(rest[n:])
	if err != nil {
		return nil, err
	}
	// The plan outlives the input, which is wiped after the call.
	return s.plan(h, bytes.Clone(rest[:n]), ptrs)
}

// plan makes and keeps the plan for doc, its own copy of the document,
// and returns planFields' output. A document refused here is wiped as
// finishFields wipes a finished one: it holds the values in clear.
func (s *splitSeal) plan(h api.KeyHandle, doc []byte, ptrs []string) ([]byte, error) {
	defer wipeOnPanic(doc) // the memory call recovers it as internal
	plan, err := s.shim.PlanFields(doc, ptrs, h)
	if err != nil {
		clear(doc)
		return nil, err
	}
	planID, ok := s.addPlan(plan)
	if !ok {
		plan.Wipe() // index.js falls back to the ordinary export
		return nil, nil
	}
	return frame(binary.BigEndian.AppendUint32(nil, uint32(planID)), plan.Plaintexts()), nil
}

// pointers reads planFields' pointer list, or reuses the last one read
// when the text is the same. The strings are never changed once read.
func (s *splitSeal) pointers(text []byte) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lastPointersRead != nil && bytes.Equal(text, s.lastPointers) {
		return s.lastPointersRead, nil
	}
	ptrs, err := pointersFromJSON(text, "sealFields(body, pointers)")
	if err != nil {
		return nil, err
	}
	s.lastPointers, s.lastPointersRead = bytes.Clone(text), ptrs
	return ptrs, nil
}

// finishFields writes the document, as JSON text, with each value replaced
// by its JWE. Its input: the plan's number, then 0 and the framed parts,
// or 1 and WebCrypto's failure message.
func (s *splitSeal) finishFields(in []byte) ([]byte, error) {
	id, rest, ok := jsbridge.ReadUint32(in)
	plan, err := s.takePlan(int(id))
	if err != nil {
		return nil, err
	}
	defer plan.Wipe() // the values in clear, whatever comes back
	if !ok || len(rest) == 0 {
		return nil, sberr.New(sberr.Internal, "finishFields: malformed input; nothing was sent")
	}
	if err := failed(rest); err != nil {
		return nil, err
	}
	parts, ok := unframe(rest[1:])
	if !ok {
		return nil, sberr.New(sberr.Internal, "finishFields: the sealed values are not framed; refusing to send them")
	}
	return plan.Finish(parts)
}

// frame appends each value after its length (4 bytes, big-endian): the
// layout both sides of the split sealFields use. out grows once, to its
// final size: the values are in clear, and each smaller buffer an append
// left behind would keep a copy of them that nothing wipes.
func frame(out []byte, values [][]byte) []byte {
	size := 4
	for _, v := range values {
		size += 4 + len(v)
	}
	out = slices.Grow(out, size)
	out = binary.BigEndian.AppendUint32(out, uint32(len(values)))
	for _, v := range values {
		out = binary.BigEndian.AppendUint32(out, uint32(len(v)))
		out = append(out, v...)
	}
	return out
}

// unframe reverses frame; false when b is not exactly framed values.
func unframe(b []byte) ([][]byte, bool) {
	if len(b) < 4 {
		return nil, false
	}
	n := int(binary.BigEndian.Uint32(b))
	b = b[4:]
	if n > seal.MaxPointers {
		return nil, false
	}
	out := make([][]byte, 0, n)
	for range n {
		if len(b) < 4 || int(binary.BigEndian.Uint32(b)) > len(b)-4 {
			return nil, false
		}
		l := int(binary.BigEndian.Uint32(b))
		out = append(out, b[4:4+l])
		b = b[4+l:]
	}
	return out, len(b) == 0
}
