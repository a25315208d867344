// Package strictdecode decodes JSON into Go values for the servers, under
// the strict-JSON rule set (internal/strictjson). It lives apart from
// strictjson because it is built on encoding/json, which the WebAssembly
// module does not link: strictjson is shared with the module, this package
// is for native code only.
package strictdecode

import (
	"bytes"
	"encoding/json"

	"github.com/sealbridge/sealbridge/internal/strictjson"
)

// Unmarshal checks data under the rule set and strictjson.DefaultLimits,
// then decodes it into v with encoding/json, refusing members v has no
// field for. Once the rule set holds, encoding/json's case-insensitive
// field matching cannot choose between two members: there is at most one
// candidate.
func Unmarshal(data []byte, v any) error {
	if err := strictjson.Validate(data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
