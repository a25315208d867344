//go:build js && wasm

package main

import (
	"github.com/sealbridge/sealbridge/jsbridge"
	"github.com/sealbridge/sealbridge/wasm/seal"
)

// webCrypto imports keys into the page's crypto.subtle (through jsbridge),
// so that every seal uses the platform's native RSA-OAEP and AES-GCM.
type webCrypto struct{}

func (webCrypto) PublicKey(n, e []byte) (seal.Cipher, error) {
	k, err := jsbridge.ImportRSAOAEP256(n, e)
	if err != nil {
		return nil, err
	}
	return k, nil
}

func (webCrypto) SHA256(data []byte) ([]byte, error) { return jsbridge.SHA256(data) }
