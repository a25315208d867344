//go:build js && wasm

package main

import (
	"encoding/binary"
	"sync"

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
// finds and checks the values, finishFields writes the document). Go keeps
// the key lookup, every rule and every error; anything else (a JWK given
// as the key, a value that is not a string, no crypto.subtle) takes the
// ordinary exports.
type splitSeal struct {
	shim *api.Shim

	mu       sync.Mutex
	ids      map[api.KeyHandle]int
	handles  []api.KeyHandle
	plans    map[int]*seal.FieldsPlan
	nextPlan int
}

const (
	// maxPendingPlans bounds the sealFields calls between planFields and
	// finishFields; past it, index.js takes the ordinary export.
	maxPendingPlans = 1024
	// maxSealOutput bounds one seal's output: a 16,384-bit wrap, the IV,
	// the largest plaintext and its tag.
	maxSealOutput = 2048 + 12 + seal.MaxPlaintext + 16
)

func newSplitSeal(shim *api.Shim) *splitSeal {
	return &splitSeal{shim: shim, ids: map[api.KeyHandle]int{}, plans: map[int]*seal.FieldsPlan{}}
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

// handleOf reads a number from handle; the key behind it is then looked
// up exactly as the ordinary exports do, so a key replaced since (same
// kid, other thumbprint) is refused the same way.
func (s *splitSeal) handleOf(v safejs.Value) (api.KeyHandle, error) {
	id, err := v.Int()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil || id < 0 || id >= len(s.handles) {
		return api.KeyHandle{}, sberr.New(sberr.InvalidArgument, "unknown key: pass a key returned by fetchKey or importKey")
	}
	return s.handles[id], nil
}

// finishSeal(id, parts, plainLen, failure) writes the JWE from the output
// of index.js's jweParts, or returns failure as Go's error.
func (s *splitSeal) finishSeal(a []safejs.Value) (any, error) {
	h, err := s.handleOf(jsbridge.Arg(a, 0))
	if err != nil {
		return nil, err
	}
	k, err := s.shim.Key(h)
	if err != nil {
		return nil, err
	}
	if failure := jsbridge.Arg(a, 3); !jsbridge.IsMissing(failure) {
		return nil, cryptoFailed(jsbridge.FromJSError(failure))
	}
	n, err := jsbridge.Arg(a, 2).Int()
	if err != nil {
		return nil, sberr.New(sberr.Internal, "finishSeal: the plaintext length is not a number")
	}
	parts, err := jsbridge.BytesFromJS(jsbridge.Arg(a, 1), maxSealOutput, "finishSeal(parts)")
	if err != nil {
		return nil, err
	}
	return k.CompactParts(n, parts)
}

func cryptoFailed(err error) error {
	return sberr.Wrap(err, sberr.Internal, "WebCrypto failed: %v; nothing was sealed or sent", err)
}

// planFields(id, doc, pointersJSON) checks the document and the pointers as
// sealFields does and returns the values to seal, framed (see frame), after
// the plan's number; null when too many plans are pending.
func (s *splitSeal) planFields(a []safejs.Value) (any, error) {
	h, err := s.handleOf(jsbridge.Arg(a, 0))
	if err != nil {
		return nil, err
	}
	doc, err := jsbridge.String(jsbridge.Arg(a, 1), "sealFields(body)")
	if err != nil {
		return nil, err
	}
	ptrText, err := jsbridge.String(jsbridge.Arg(a, 2), "sealFields(body, pointers)")
	if err != nil {
		return nil, err
	}
	ptrs, err := pointersFromJSON([]byte(ptrText), "sealFields(body, pointers)")
	if err != nil {
		return nil, err
	}
	plan, err := s.shim.PlanFields([]byte(doc), ptrs, h)
	if err != nil {
		return nil, err
	}
	id, ok := s.addPlan(plan)
	if !ok {
		return nil, nil
	}
	return jsbridge.BytesToJS(frame(binary.BigEndian.AppendUint32(nil, uint32(id)), plan.Plaintexts()))
}

// finishFields(planID, framedParts, failure) writes the document, as JSON
// text, with each value replaced by its JWE.
func (s *splitSeal) finishFields(a []safejs.Value) (any, error) {
	id, err := jsbridge.Arg(a, 0).Int()
	plan := s.takePlan(id)
	if err != nil || plan == nil {
		return nil, sberr.New(sberr.Internal, "finishFields: no such sealFields call pending")
	}
	if failure := jsbridge.Arg(a, 2); !jsbridge.IsMissing(failure) {
		return nil, cryptoFailed(jsbridge.FromJSError(failure))
	}
	framed, err := jsbridge.BytesFromJS(jsbridge.Arg(a, 1), seal.MaxPointers*maxSealOutput, "finishFields(parts)")
	if err != nil {
		return nil, err
	}
	parts, ok := unframe(framed)
	if !ok {
		return nil, sberr.New(sberr.Internal, "finishFields: the sealed values are not framed; refusing to send them")
	}
	out, err := plan.Finish(parts)
	if err != nil {
		return nil, err
	}
	return string(out), nil
}

func (s *splitSeal) addPlan(p *seal.FieldsPlan) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.plans) >= maxPendingPlans {
		return 0, false
	}
	s.nextPlan = (s.nextPlan + 1) % (1 << 30)
	s.plans[s.nextPlan] = p
	return s.nextPlan, true
}

func (s *splitSeal) takePlan(id int) *seal.FieldsPlan {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.plans[id]
	delete(s.plans, id)
	return p
}

// frame appends each value after its length (4 bytes, big-endian): the
// layout both sides of the split sealFields use.
func frame(out []byte, values [][]byte) []byte {
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
