//go:build js && wasm

package jsbridge

import (
	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// NewError builds a JS Error for err carrying name "SealbridgeError", a
// stable code, and for http_error the status and the decoded body.
// index.js turns it into a SealbridgeError instance.
func NewError(err error) safejs.Value {
	e := sberr.As(err)
	ctor, cerr := safejs.Global().Get("Error")
	if cerr != nil {
		return safejs.Undefined()
	}
	v, cerr := ctor.New(e.Message)
	if cerr != nil {
		return safejs.Undefined()
	}
	_ = v.Set("name", "SealbridgeError")
	_ = v.Set("code", string(e.Code))
	if e.Status != 0 {
		_ = v.Set("status", e.Status)
	}
	if e.Body != nil {
		if body, perr := ParseJSON(e.Body); perr == nil {
			_ = v.Set("body", body)
		} else {
			_ = v.Set("body", string(e.Body))
		}
	}
	return v
}

// FromJSError turns a rejection reason into a Go error, keeping a
// SealbridgeError's code when it has one.
func FromJSError(v safejs.Value) error {
	msg := "rejected with " + describe(v)
	if v.Type() == safejs.TypeObject {
		if m, err := v.Get("message"); err == nil && m.Type() == safejs.TypeString {
			msg, _ = m.String()
		}
		if c, err := v.Get("code"); err == nil && c.Type() == safejs.TypeString {
			code, _ := c.String()
			return sberr.New(sberr.Code(code), "%s", msg)
		}
	}
	return &jsRejection{msg: msg}
}

// jsRejection is a plain JS rejection; callers decide its code.
type jsRejection struct{ msg string }

func (e *jsRejection) Error() string { return e.msg }

func describe(v safejs.Value) string {
	switch v.Type() {
	case safejs.TypeUndefined:
		return "undefined"
	case safejs.TypeNull:
		return "null"
	case safejs.TypeString:
		s, _ := v.String()
		return "the string " + quote(s, 80)
	default:
		return "a " + v.Type().String()
	}
}

func quote(s string, max int) string {
	if len(s) > max {
		s = s[:max] + "…"
	}
	return `"` + s + `"`
}
