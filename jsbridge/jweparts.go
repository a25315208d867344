//go:build js && wasm

package jsbridge

import (
	"sync"

	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// Parts is index.js's jweParts: the cryptography of one JWE in one call
// into JavaScript, which reports back through one Go callback. Each value
// that crosses between Go and JavaScript costs microseconds (a lookup in
// the runtime's value table, a finalizer for every object, a UTF-8
// conversion for every name), and driving WebCrypto step by step from Go
// took about 30 crossings and two callbacks per seal, several times the
// cost of the cryptography itself. The zero Parts means "not available"
// (the module loaded without index.js, or Go's own tests): the key then
// drives WebCrypto from Go, with the same output.
type Parts struct{ fn safejs.Value }

// PartsFrom reads jweParts from obj (index.js's ready hook).
func PartsFrom(obj safejs.Value) Parts {
	fn := Field(obj, "jweParts")
	if fn.Type() != safejs.TypeFunction {
		return Parts{}
	}
	return Parts{fn: fn}
}

// PartsOf wraps a JS function with jweParts' contract (for tests).
func PartsOf(fn safejs.Value) Parts { return Parts{fn: fn} }

func (p Parts) available() bool { return p.fn.Type() == safejs.TypeFunction }

// encryptWithParts is EncryptAsync through jweParts.
func (k *RSAOAEPKey) encryptWithParts(aad, plaintext []byte, done func(encryptedKey, iv, sealed []byte, err error)) {
	aadJS, err := k.aadJS(aad)
	if err != nil {
		done(nil, nil, nil, err)
		return
	}
	ptJS, err := bytesToJS(plaintext)
	if err != nil {
		done(nil, nil, nil, err)
		return
	}
	// The JS copy of plaintext is wiped once the seal settles (WebCrypto
	// has its own), rather than left in clear for the JS garbage collector.
	wipe := func() { zeroJS(ptJS) }
	finish, err := partsFinish()
	if err != nil {
		wipe()
		done(nil, nil, nil, err)
		return
	}
	id := pending.add(func(out safejs.Value, err error) {
		wipe()
		if err != nil {
			done(nil, nil, nil, cryptoFailed(err))
			return
		}
		done(k.split(out, len(plaintext)))
	})
	if _, err := k.parts.fn.Invoke(k.key, aadJS, ptJS, id, finish); err != nil {
		pending.take(id)
		wipe()
		done(nil, nil, nil, cryptoFailed(err))
	}
}

// split copies jweParts' output (wrapped key, IV, ciphertext and tag, end
// to end) into Go. A longer output keeps one extra byte, for Key.compact
// to refuse.
func (k *RSAOAEPKey) split(out safejs.Value, plainLen int) (encryptedKey, iv, sealed []byte, err error) {
	b := make([]byte, k.modulusBytes+12+plainLen+16+1)
	n, err := safejs.CopyBytesToGo(b, out)
	if err != nil {
		return nil, nil, nil, cryptoFailed(err)
	}
	if n < k.modulusBytes+12 {
		return nil, nil, nil, sberr.New(sberr.Internal, "WebCrypto gave %d bytes for a JWE's key and IV; refusing to send it", n)
	}
	return b[:k.modulusBytes], b[k.modulusBytes : k.modulusBytes+12], b[k.modulusBytes+12 : n], nil
}

// pendingSeals holds what to do when jweParts reports, by call id: one Go
// callback serves every call, so no js.Func is made per seal.
type pendingSeals struct {
	mu    sync.Mutex
	next  int
	conts map[int]func(safejs.Value, error)
}

var pending = pendingSeals{conts: map[int]func(safejs.Value, error){}}

func (p *pendingSeals) add(cont func(safejs.Value, error)) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next = (p.next + 1) % (1 << 30)
	p.conts[p.next] = cont
	return p.next
}

func (p *pendingSeals) take(id int) func(safejs.Value, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cont := p.conts[id]
	delete(p.conts, id)
	return cont
}

// partsFinish is finish(id, bytes, error), the callback jweParts reports
// to. It only hands the outcome to the seal's continuation, which does not
// block. One function serves every seal for the life of the module, like
// the exports.
var partsFinish = sync.OnceValues(func() (safejs.Func, error) {
	return safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		id, err := arg(args, 0).Int()
		if err != nil {
			return nil
		}
		cont := pending.take(id)
		if cont == nil {
			return nil
		}
		if failure := arg(args, 2); !IsMissing(failure) {
			callRecovering(cont, safejs.Undefined(), FromJSError(failure))
			return nil
		}
		callRecovering(cont, arg(args, 1), nil)
		return nil
	})
})

// ForJS returns what index.js needs to seal with this key itself: the
// CryptoKey (non-extractable: the page can seal with it, nothing more)
// and aad as a Uint8Array.
func (k *RSAOAEPKey) ForJS(aad []byte) (cryptoKey, aadJS safejs.Value, err error) {
	aadJS, err = k.aadJS(aad)
	return k.key, aadJS, err
}
