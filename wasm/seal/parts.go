package seal

import "github.com/sealbridge/sealbridge/wasm/sberr"

// The split seal: in the page, index.js does a JWE's cryptography itself
// with the key's CryptoKey, in one go, and hands the output to Go, which
// checks it and writes the compact form; sealFields is split the same way
// around it (PlanFields, then FinishFields). Each value that crosses
// between Go and JavaScript costs microseconds, and a seal driven from Go
// needs dozens of crossings; the split needs one call into Go per seal.

// AAD returns the key's protected header, base64url: the AES-GCM
// additional data of every JWE it seals.
func (k *Key) AAD() []byte { return append([]byte(nil), k.aad...) }

// Cipher returns the platform key k seals with (nil before import).
func (k *Key) Cipher() Cipher { return k.cipher }

// CompactParts writes the JWE for the output of one seal's cryptography,
// given end to end: the RSA-OAEP-256 wrapped key, the 96-bit IV, and the
// ciphertext with its 128-bit tag, of a plaintext plainLen bytes long. The
// same checks as Seal's apply to every part.
func (k *Key) CompactParts(plainLen int, parts []byte) ([]byte, error) {
	if k == nil || k.cipher == nil {
		return nil, sberr.New(sberr.InvalidArgument, "no key: import the provider key with ImportKey before sealing")
	}
	if plainLen < 0 || plainLen > MaxPlaintext {
		return nil, tooLarge(plainLen)
	}
	if len(parts) < k.modulusBytes+ivSize {
		return nil, sberr.New(sberr.Internal, "the platform's cryptography gave %d bytes for a JWE's key and IV; refusing to send it", len(parts))
	}
	iv := parts[k.modulusBytes : k.modulusBytes+ivSize]
	return k.compactBytes(plainLen, parts[:k.modulusBytes], iv, parts[k.modulusBytes+ivSize:])
}

// FieldsPlan is a SealFields call whose values the caller seals: the
// checked document and, in pointer order, the values found.
type FieldsPlan struct {
	key    *Key
	doc    []byte
	fields []*field
}

// PlanFields does what SealFields does before sealing, with the same
// rules and errors.
func (k *Key) PlanFields(doc []byte, pointers []string) (*FieldsPlan, error) {
	if k == nil || k.cipher == nil {
		return nil, sberr.New(sberr.InvalidArgument, "no key: import the provider key with ImportKey before sealing")
	}
	fields, err := findFields(doc, pointers)
	if err != nil {
		return nil, err
	}
	return &FieldsPlan{key: k, doc: doc, fields: fields}, nil
}

// Plaintexts are the values to seal, in pointer order.
func (p *FieldsPlan) Plaintexts() [][]byte {
	out := make([][]byte, len(p.fields))
	for i, f := range p.fields {
		out[i] = f.plain
	}
	return out
}

// Wipe zeroes the plan's copy of the document and the values in clear:
// call it once the plan is finished or abandoned.
func (p *FieldsPlan) Wipe() {
	clear(p.doc)
	wipeFields(p.fields)
}

// Finish writes the document with each value replaced by the JWE made
// from parts[i] (see CompactParts), or returns the first error, naming its
// pointer; nothing is returned then.
func (p *FieldsPlan) Finish(parts [][]byte) ([]byte, error) {
	if len(parts) != len(p.fields) {
		return nil, sberr.New(sberr.Internal, "%d sealed values for %d pointers; refusing to send them", len(parts), len(p.fields))
	}
	sealed := make([]string, len(parts))
	errs := make([]error, len(parts))
	for i, f := range p.fields {
		jwe, err := p.key.CompactParts(len(f.plain), parts[i])
		sealed[i], errs[i] = string(jwe), err
	}
	if err := firstFieldError(p.fields, errs); err != nil {
		return nil, err
	}
	return splice(p.doc, p.fields, sealed), nil
}
