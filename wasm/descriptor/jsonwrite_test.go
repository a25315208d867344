package descriptor

import (
	"encoding/json"
	"testing"
)

// appendString must escape exactly like JavaScript's JSON.stringify, the
// encoder of the Qonto SDK.
func TestAppendStringMatchesJSONStringify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", `"plain"`},
		{"<b>&</b>", `"<b>&</b>"`},
		{`q"b\s`, `"q\"b\\s"`},
		{"\b\f\n\r\t", `"\b\f\n\r\t"`},
		{"\x00\x01\x1f", `"\u0000\u0001\u001f"`},
		{"\x7f", "\"\x7f\""},
		{"\u2028\u2029", "\"\u2028\u2029\""},
		{"Société € 😀", `"Société € 😀"`},
		{"/", `"/"`},
	}
	for _, tt := range tests {
		got := string(appendString(nil, tt.in))
		if got != tt.want {
			t.Errorf("appendString(%q) = %s, want %s", tt.in, got, tt.want)
		}
		var back string
		if err := json.Unmarshal([]byte(got), &back); err != nil || back != tt.in {
			t.Errorf("appendString(%q) does not decode back: %q, %v", tt.in, back, err)
		}
	}
}
