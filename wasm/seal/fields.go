package seal

import (
	"slices"
	"sync"

	"github.com/sealbridge/sealbridge/internal/strictjson"
	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// MaxDocument bounds the JSON document given to SealFields.
const MaxDocument = 1 << 20

// MaxPointers bounds the pointers of one SealFields call: each costs an RSA
// operation, and no form has more sensitive fields than this.
const MaxPointers = 1024

// field is one value to seal, found in the document.
type field struct {
	ptr        pointer
	start, end int // byte span of the string literal, quotes included
	plain      []byte
	found      bool
}

// SealFields replaces each string value named by pointers (RFC 6901) in the
// JSON object or array doc with its compact JWE, sealed from the UTF-8
// bytes of the decoded string. Every other byte of doc is kept as it is:
// the targets are located by a scan of the original text and spliced, so
// member order, numbers and whitespace do not change.
//
// doc must obey the strict-JSON rule set (internal/strictjson): no
// duplicate member names, none equal after Unicode case folding, no
// invalid UTF-8 or lone surrogate, bounded depth, no trailing data. Every
// pointer must name an existing string, once, spelled exactly as the
// member: a member that a case-insensitive reader could take for the
// sealed one is refused, because the provider might read it in clear. An
// empty pointer list is an error rather than a no-op: a caller who meant
// to seal something must not send it in clear.
// Errors are sberr.InvalidArgument and name the pointer, except values
// over MaxPlaintext and documents over MaxDocument (sberr.PayloadTooLarge).
// SealFields waits for SealFieldsAsync; in the page, only call it from a
// goroutine.
func (k *Key) SealFields(doc []byte, pointers []string) ([]byte, error) {
	type result struct {
		out []byte
		err error
	}
	ch := make(chan result, 1)
	k.SealFieldsAsync(doc, pointers, func(out []byte, err error) { ch <- result{out, err} })
	r := <-ch
	return r.out, r.err
}

// SealFieldsAsync is SealFields as a continuation (see SealAsync): the
// document is checked and its values found at once, their seals all
// start at once, and done is called exactly once when the last one ends.
func (k *Key) SealFieldsAsync(doc []byte, pointers []string, done func([]byte, error)) {
	if k == nil || k.cipher == nil {
		done(nil, sberr.New(sberr.InvalidArgument, "no key: import the provider key with ImportKey before sealing"))
		return
	}
	fields, err := findFields(doc, pointers)
	if err != nil {
		done(nil, err)
		return
	}
	// Seal everything first: on any failure nothing is returned. Once the
	// last seal is done, nothing needs the values in clear any more.
	k.sealAll(fields, func(sealed []string, err error) {
		wipeFields(fields)
		if err != nil {
			done(nil, err)
			return
		}
		done(splice(doc, fields, sealed), nil)
	})
}

// findFields checks doc against the rule set and finds the string each
// pointer names, decoded.
func findFields(doc []byte, pointers []string) ([]*field, error) {
	if len(doc) > MaxDocument {
		return nil, sberr.New(sberr.PayloadTooLarge, "document is %d bytes; SealFields accepts at most %d bytes", len(doc), MaxDocument)
	}
	root, fields, err := buildTrie(pointers)
	if err != nil {
		return nil, err
	}
	if err := (strictjson.Limits{MaxBytes: MaxDocument}).Walk(doc, root); err != nil {
		return nil, documentError(err, fields)
	}
	if root.kind != strictjson.Object && root.kind != strictjson.Array {
		return nil, sberr.New(sberr.InvalidArgument, "document is %s; it must be a JSON object or array", root.kind)
	}
	if err := decodeFields(doc, root, fields); err != nil {
		return nil, err
	}
	return fields, nil
}

// decodeFields decodes each field's value, in pointer order. On a refusal
// (or a panic, which the exports recover) it wipes the values decoded so
// far: they are credentials, and a refusal returns them to nobody.
func decodeFields(doc []byte, root *node, fields []*field) error {
	defer func() {
		if p := recover(); p != nil {
			wipeFields(fields)
			panic(p)
		}
	}()
	for i, f := range fields {
		var err error
		if !f.found {
			err = notFound(root, f.ptr)
		} else {
			f.plain, err = plaintext(doc, f)
		}
		if err != nil {
			wipeFields(fields[:i])
			return err
		}
	}
	return nil
}

// wipeFields zeroes the values in clear that fields hold.
func wipeFields(fields []*field) {
	for _, f := range fields {
		clear(f.plain)
	}
}

// splice writes doc with each field's string literal replaced by its JWE.
func splice(doc []byte, fields []*field, sealed []string) []byte {
	// Document order. Each key packs a field's start and its index, and
	// slices.Sort orders the keys by start (starts are distinct, so the
	// index never decides): the module already links slices.Sort for ints
	// (fmt does), where a SortFunc would add a sort of its own.
	n := len(fields)
	keys := make([]int, n)
	for i, f := range fields {
		keys[i] = f.start*n + i
	}
	slices.Sort(keys)
	size := len(doc)
	for i, f := range fields {
		size += len(sealed[i]) + 2 - (f.end - f.start)
	}
	out := make([]byte, 0, size)
	last := 0
	for _, key := range keys {
		i := key % n
		out = append(out, doc[last:fields[i].start]...)
		out = append(out, '"')
		out = append(out, sealed[i]...)
		out = append(out, '"')
		last = fields[i].end
	}
	return append(out, doc[last:]...)
}

// sealAll starts every field's seal at once (in the page each one waits on
// WebCrypto, and the waits overlap) and calls done when the last has
// ended. The first error (in pointer order) wins.
func (k *Key) sealAll(fields []*field, done func([]string, error)) {
	sealed := make([]string, len(fields))
	errs := make([]error, len(fields))
	var mu sync.Mutex
	left := len(fields)
	for i, f := range fields {
		k.SealAsync(f.plain, func(jwe string, err error) {
			mu.Lock()
			sealed[i], errs[i] = jwe, err
			left--
			last := left == 0
			mu.Unlock()
			if last {
				done(sealed, firstFieldError(fields, errs))
			}
		})
	}
}

func firstFieldError(fields []*field, errs []error) error {
	for i, err := range errs {
		if err != nil {
			e := sberr.As(err)
			return &sberr.Error{Code: e.Code, Message: "pointer " + quotePointer(fields[i].ptr.raw) + ": " + e.Message, Err: e.Err}
		}
	}
	return nil
}

// plaintext decodes the string literal f spans, which the walk has
// checked, and bounds its size.
func plaintext(doc []byte, f *field) ([]byte, error) {
	plain, err := strictjson.Unquote(doc[f.start:f.end])
	if err != nil { // not reached: the rule set has accepted the document
		return nil, pointerError(f.ptr.raw, "%v", err)
	}
	if len(plain) > MaxPlaintext {
		clear(plain)
		e := tooLarge(len(plain))
		e.Message = "pointer " + quotePointer(f.ptr.raw) + ": " + e.Message
		return nil, e
	}
	return plain, nil
}

func buildTrie(pointers []string) (*node, []*field, error) {
	if len(pointers) == 0 {
		return nil, nil, sberr.New(sberr.InvalidArgument, `no pointers given; pass at least one JSON Pointer such as "/password"`)
	}
	if len(pointers) > MaxPointers {
		return nil, nil, sberr.New(sberr.InvalidArgument, "%d pointers given; SealFields seals at most %d values per call", len(pointers), MaxPointers)
	}
	root := &node{}
	fields := make([]*field, 0, len(pointers))
	for _, raw := range pointers {
		p, err := parsePointer(raw)
		if err != nil {
			return nil, nil, err
		}
		n := root
		for _, t := range p.tokens {
			n = n.child(t, raw)
		}
		if n.target != nil {
			return nil, nil, pointerError(raw, "given twice; list each pointer once")
		}
		f := &field{ptr: p}
		n.target = f
		fields = append(fields, f)
	}
	return root, fields, nil
}

// notFound explains why pointer p named nothing: it follows p as far as the
// scan reached and describes the value where it stopped.
func notFound(root *node, p pointer) error {
	n := root
	for i, t := range p.tokens {
		child := n.children[t]
		if child != nil && child.reached {
			n = child
			continue
		}
		where := "at the top level"
		if i > 0 {
			where = "in the " + kindWord(n.kind) + " at " + quotePointer(p.prefix(i))
		}
		switch n.kind {
		case strictjson.Object:
			return pointerError(p.raw, "no such member %q %s", t, where)
		case strictjson.Array:
			switch {
			case t == "-":
				return pointerError(p.raw, `"-" names the slot after the last element %s, not an element`, where)
			case !isArrayIndex(t):
				return pointerError(p.raw, "%q is no array index %s; use a decimal number without leading zeros", t, where)
			default:
				return pointerError(p.raw, "no such element %s %s, which has %d elements", t, where, n.length)
			}
		default:
			return pointerError(p.raw, "%s is %s, not an object or array", quotePointer(p.prefix(i)), n.kind)
		}
	}
	return pointerError(p.raw, "no such value")
}

func kindWord(k strictjson.Kind) string {
	if k == strictjson.Array {
		return "array"
	}
	return "object"
}
