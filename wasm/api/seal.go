package api

import (
	"github.com/sealbridge/sealbridge/wasm/sberr"
	"github.com/sealbridge/sealbridge/wasm/seal"
)

// Seal encrypts one value with the key behind h.
func (s *Shim) Seal(value string, h KeyHandle) (string, error) {
	k, err := s.key(h)
	if err != nil {
		return "", err
	}
	return k.Seal([]byte(value))
}

// SealFields replaces the string values at pointers in doc (JSON) with
// their JWEs.
func (s *Shim) SealFields(doc []byte, pointers []string, h KeyHandle) ([]byte, error) {
	k, err := s.fieldsKey(pointers, h)
	if err != nil {
		return nil, err
	}
	return k.SealFields(doc, pointers)
}

// SealAsync is Seal as a continuation (see seal.Key.SealAsync): done is
// called exactly once and it never blocks. plaintext stays the caller's,
// who wipes it once done is called: nothing here keeps it.
func (s *Shim) SealAsync(plaintext []byte, h KeyHandle, done func(string, error)) {
	k, err := s.key(h)
	if err != nil {
		done("", err)
		return
	}
	k.SealAsync(plaintext, done)
}

// SealFieldsAsync is SealFields as a continuation.
func (s *Shim) SealFieldsAsync(doc []byte, pointers []string, h KeyHandle, done func([]byte, error)) {
	k, err := s.fieldsKey(pointers, h)
	if err != nil {
		done(nil, err)
		return
	}
	k.SealFieldsAsync(doc, pointers, done)
}

// Key returns the imported key behind h, as Seal would use it.
func (s *Shim) Key(h KeyHandle) (*seal.Key, error) { return s.key(h) }

// PlanFields is SealFields up to the seals (see seal.FieldsPlan), with the
// same rules and errors.
func (s *Shim) PlanFields(doc []byte, pointers []string, h KeyHandle) (*seal.FieldsPlan, error) {
	k, err := s.fieldsKey(pointers, h)
	if err != nil {
		return nil, err
	}
	return k.PlanFields(doc, pointers)
}

// fieldsKey is the key for a sealFields call, which must name at least one
// pointer.
func (s *Shim) fieldsKey(pointers []string, h KeyHandle) (*seal.Key, error) {
	if len(pointers) == 0 {
		return nil, sberr.New(sberr.InvalidArgument, "sealFields needs at least one JSON Pointer, such as \"/password\"")
	}
	return s.key(h)
}
