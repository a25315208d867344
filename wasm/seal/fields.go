package seal

import (
	"encoding/json"
	"errors"
	"slices"
	"sync"

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
// Every pointer must name an existing string, once; a pointer whose member
// appears twice in one object is refused, because the provider might read
// the other copy in clear. An empty pointer list is an error rather than a
// no-op: a caller who meant to seal something must not send it in clear.
// Errors are sberr.InvalidArgument and name the pointer, except values
// over MaxPlaintext and documents over MaxDocument (sberr.PayloadTooLarge).
func (k *Key) SealFields(doc []byte, pointers []string) ([]byte, error) {
	if k == nil || k.cipher == nil {
		return nil, sberr.New(sberr.InvalidArgument, "no key: import the provider key with ImportKey before sealing")
	}
	if len(doc) > MaxDocument {
		return nil, sberr.New(sberr.PayloadTooLarge, "document is %d bytes; SealFields accepts at most %d bytes", len(doc), MaxDocument)
	}
	root, fields, err := buildTrie(pointers)
	if err != nil {
		return nil, err
	}
	if err := checkDocument(doc); err != nil {
		return nil, err
	}
	sc := scanner{data: doc}
	if err := sc.walk(root); err != nil {
		return nil, err
	}
	for _, f := range fields {
		if !f.found {
			return nil, notFound(root, f.ptr)
		}
	}

	// Seal everything first: on any failure nothing is returned.
	sealed, err := k.sealAll(fields)
	if err != nil {
		return nil, err
	}
	order := make([]int, len(fields))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return fields[a].start - fields[b].start })

	size := len(doc)
	for i, f := range fields {
		size += len(sealed[i]) + 2 - (f.end - f.start)
	}
	out := make([]byte, 0, size)
	last := 0
	for _, i := range order {
		out = append(out, doc[last:fields[i].start]...)
		out = append(out, '"')
		out = append(out, sealed[i]...)
		out = append(out, '"')
		last = fields[i].end
	}
	return append(out, doc[last:]...), nil
}

// sealAll seals every field's value at once: in the page each seal waits
// on WebCrypto, and the waits overlap. The first error (in pointer order)
// wins.
func (k *Key) sealAll(fields []*field) ([]string, error) {
	sealed := make([]string, len(fields))
	errs := make([]error, len(fields))
	var wg sync.WaitGroup
	for i, f := range fields {
		wg.Go(func() { sealed[i], errs[i] = k.Seal(f.plain) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			e := sberr.As(err)
			return nil, &sberr.Error{Code: e.Code, Message: "pointer " + quotePointer(fields[i].ptr.raw) + ": " + e.Message, Err: e.Err}
		}
	}
	return sealed, nil
}

// checkDocument refuses invalid JSON and top-level scalars. Syntax errors
// give only an offset: the text around it may be a secret.
func checkDocument(doc []byte) error {
	var probe json.RawMessage
	if err := json.Unmarshal(doc, &probe); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return sberr.New(sberr.InvalidArgument, "document is not valid JSON (error near byte %d); pass the JSON text of an object or array", syn.Offset)
		}
		return sberr.New(sberr.InvalidArgument, "document is not valid JSON; pass the JSON text of an object or array")
	}
	if c := firstByte(doc); c != '{' && c != '[' {
		return sberr.New(sberr.InvalidArgument, "document is %s; it must be a JSON object or array", kindOf(c))
	}
	return nil
}

// node is one step of the pointers, merged into a trie so that a single
// scan of the document serves them all.
type node struct {
	children map[string]*node
	target   *field
	via      string // the first pointer through this node, for messages
	// Filled in by the scan, to explain pointers that were not found.
	reached bool
	kind    byte // first byte of the value here
	length  int  // element count, for arrays
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
			child := n.children[t]
			if child == nil {
				if n.children == nil {
					n.children = map[string]*node{}
				}
				child = &node{via: raw}
				n.children[t] = child
			}
			n = child
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
		case '{':
			return pointerError(p.raw, "no such member %q %s", t, where)
		case '[':
			switch {
			case t == "-":
				return pointerError(p.raw, `"-" names the slot after the last element %s, not an element`, where)
			case !isArrayIndex(t):
				return pointerError(p.raw, "%q is no array index %s; use a decimal number without leading zeros", t, where)
			default:
				return pointerError(p.raw, "no such element %s %s, which has %d elements", t, where, n.length)
			}
		default:
			return pointerError(p.raw, "%s is %s, not an object or array", quotePointer(p.prefix(i)), kindOf(n.kind))
		}
	}
	return pointerError(p.raw, "no such value")
}

func kindWord(c byte) string {
	if c == '[' {
		return "array"
	}
	return "object"
}
