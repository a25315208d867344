package api

import "github.com/sealbridge/sealbridge/wasm/sberr"

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
	if len(pointers) == 0 {
		return nil, sberr.New(sberr.InvalidArgument, "sealFields needs at least one JSON Pointer, such as \"/password\"")
	}
	k, err := s.key(h)
	if err != nil {
		return nil, err
	}
	return k.SealFields(doc, pointers)
}
