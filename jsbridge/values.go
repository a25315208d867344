//go:build js && wasm

package jsbridge

import (
	"strconv"

	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// Arg returns argument i or undefined.
func Arg(args []safejs.Value, i int) safejs.Value { return arg(args, i) }

// String reads a required string argument.
func String(v safejs.Value, name string) (string, error) {
	if v.Type() != safejs.TypeString {
		return "", sberr.New(sberr.InvalidArgument, "%s must be a string, got %s", name, describe(v))
	}
	return v.String()
}

// IsMissing reports whether v is undefined or null.
func IsMissing(v safejs.Value) bool { return v.IsUndefined() || v.IsNull() }

// Field reads property name of an options object; a missing object
// reads as undefined fields.
func Field(obj safejs.Value, name string) safejs.Value {
	if obj.Type() != safejs.TypeObject && obj.Type() != safejs.TypeFunction {
		return safejs.Undefined()
	}
	v, err := obj.Get(name)
	if err != nil {
		return safejs.Undefined()
	}
	return v
}

// OptionalString reads an optional string property.
func OptionalString(obj safejs.Value, name string) (string, error) {
	v := Field(obj, name)
	if IsMissing(v) {
		return "", nil
	}
	return String(v, name)
}

// OptionalNumber reads an optional number property.
func OptionalNumber(obj safejs.Value, name string) (float64, bool, error) {
	v := Field(obj, name)
	if IsMissing(v) {
		return 0, false, nil
	}
	if v.Type() != safejs.TypeNumber {
		return 0, false, sberr.New(sberr.InvalidArgument, "%s must be a number, got %s", name, describe(v))
	}
	f, err := v.Float()
	return f, err == nil, err
}

// Options checks that an options argument is an object or absent.
func Options(v safejs.Value, name string) (safejs.Value, error) {
	if IsMissing(v) {
		return safejs.Undefined(), nil
	}
	if v.Type() != safejs.TypeObject {
		return safejs.Value{}, sberr.New(sberr.InvalidArgument, "%s must be an object, got %s", name, describe(v))
	}
	return v, nil
}

// Strings reads an array of strings.
func Strings(v safejs.Value, name string) ([]string, error) {
	isArray, err := safejs.MustGetGlobal("Array").Call("isArray", v)
	if err != nil {
		return nil, err
	}
	if ok, _ := isArray.Bool(); !ok {
		return nil, sberr.New(sberr.InvalidArgument, "%s must be an array of strings, got %s", name, describe(v))
	}
	n, err := v.Length()
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		item, err := v.Index(i)
		if err != nil {
			return nil, err
		}
		s, err := String(item, name+"["+strconv.Itoa(i)+"]")
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// StringMap reads an object whose values are all strings (e.g. headers).
func StringMap(v safejs.Value, name string) (map[string]string, error) {
	return objectMap(v, name, func(f safejs.Value, field string) (string, error) {
		return String(f, field)
	})
}

// objectMap reads a plain object's own properties, converting each value
// with conv; a missing object reads as nil.
func objectMap(v safejs.Value, name string, conv func(f safejs.Value, field string) (string, error)) (map[string]string, error) {
	if IsMissing(v) {
		return nil, nil
	}
	if v.Type() != safejs.TypeObject {
		return nil, sberr.New(sberr.InvalidArgument, "%s must be an object, got %s", name, describe(v))
	}
	keys, err := safejs.MustGetGlobal("Object").Call("keys", v)
	if err != nil {
		return nil, err
	}
	names, err := Strings(keys, name)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(names))
	for _, k := range names {
		if out[k], err = conv(Field(v, k), name+"."+k); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// JSONOf serialises a JS value with JSON.stringify. The text comes into Go
// once, into the buffer returned (see StringBytes): a document may hold
// credentials, and the caller wipes it once done.
func JSONOf(v safejs.Value, name string) ([]byte, error) {
	if IsMissing(v) {
		return nil, sberr.New(sberr.InvalidArgument, "%s is missing", name)
	}
	s, err := safejs.MustGetGlobal("JSON").Call("stringify", v)
	if err != nil {
		return nil, sberr.New(sberr.InvalidArgument, "%s cannot be turned into JSON: %v", name, err)
	}
	if s.Type() != safejs.TypeString {
		return nil, sberr.New(sberr.InvalidArgument, "%s cannot be turned into JSON (got %s)", name, describe(v))
	}
	return utf8Of(s)
}

// ParseJSON turns JSON text into a JS value with JSON.parse.
func ParseJSON(b []byte) (safejs.Value, error) {
	return safejs.MustGetGlobal("JSON").Call("parse", string(b))
}

// ScalarMap reads an object whose values are strings, numbers or booleans
// (e.g. a query), as strings.
func ScalarMap(v safejs.Value, name string) (map[string]string, error) {
	return objectMap(v, name, func(f safejs.Value, field string) (string, error) {
		switch f.Type() {
		case safejs.TypeString, safejs.TypeNumber, safejs.TypeBoolean:
			s, err := safejs.MustGetGlobal("String").Invoke(f)
			if err != nil {
				return "", err
			}
			return s.String()
		default:
			return "", sberr.New(sberr.InvalidArgument, "%s must be a string, number or boolean, got %s", field, describe(f))
		}
	})
}
