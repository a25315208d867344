package strictjson

import (
	"bytes"
	"strings"
	"testing"
)

// secret is a value the sealer decodes (a credential); copiesDocs hold it
// in every place a string value can stand, plain and escaped, short and
// longer than the scanner's first scratch buffer.
const secret = "s3cret-Passw0rd"

var copiesDocs = map[string]string{
	"top-level string":   `"` + secret + `"`,
	"member value":       `{"password":"` + secret + `"}`,
	"last of several":    `{"a":"x","password":"` + secret + `"}`,
	"array element":      `["` + secret + `"]`,
	"nested":             `{"u":[{"pin":"` + secret + `"}],"n":1}`,
	"escaped":            `{"p":"s3\u0063ret-Pa\u0073sw0rd"}`,
	"long value":         `{"p":"` + strings.Repeat(secret, 20) + `"}`,
	"surrogate pair":     `{"p":"` + secret + `\ud83d\ude42"}`,
	"value, then a name": `{"p":"` + secret + `","q":1}`,
}

// Walk checks string values without decoding them: the scanner's own
// buffer holds member names only, never a value (which may be a
// credential), so nothing of one is left behind in a buffer the garbage
// collector frees unwiped. The names are decoded, for the rule set.
func TestWalkKeepsNoCopyOfStringValues(t *testing.T) {
	for name, doc := range copiesDocs {
		t.Run(name, func(t *testing.T) {
			// As Walk starts its scanner, so the buffer can be looked at after.
			s := &scanner{data: []byte(doc), lim: DefaultLimits, path: make([]step, 0, 8), scratch: make([]byte, 0, 64)}
			if err := s.value(nil, 1); err != nil {
				t.Fatal(err)
			}
			for _, part := range []string{"s3cret", "Passw0rd", "sw0rd"} {
				if bytes.Contains(s.scratch[:cap(s.scratch)], []byte(part)) {
					t.Fatalf("the scanner's buffer holds %q after the walk: %q", part, s.scratch[:cap(s.scratch)])
				}
			}
		})
	}
}

// Nor does Walk allocate for a string value, however long: a buffer grown
// for a value would leave each smaller copy of it behind.
func TestWalkAllocatesNothingPerStringValue(t *testing.T) {
	short := []byte(`{"p":"x","q":["y"]}`)
	long := []byte(`{"p":"` + strings.Repeat(`\u00e9`+secret, 200) + `","q":["` + strings.Repeat(secret, 300) + `"]}`)
	want := testing.AllocsPerRun(20, func() { _ = Validate(short) })
	if got := testing.AllocsPerRun(20, func() { _ = Validate(long) }); got != want {
		t.Fatalf("Walk allocates %v times for long string values, %v for short ones", got, want)
	}
}

// Unquote decodes into one buffer, sized at once: a buffer grown while
// decoding would leave each smaller copy of the value behind, unwiped.
func TestUnquoteAllocatesOnce(t *testing.T) {
	for _, lit := range []string{
		`"` + strings.Repeat(secret, 100) + `"`,
		`"` + strings.Repeat(`\u00e9\n\ud83d\ude42`+secret, 50) + `"`,
		`"` + strings.Repeat("é🙂", 300) + `"`,
	} {
		var out []byte
		if n := testing.AllocsPerRun(20, func() { out, _ = Unquote([]byte(lit)) }); n != 1 {
			t.Errorf("Unquote of a %d-byte literal allocates %v times, want 1", len(lit), n)
		}
		if len(out) == 0 {
			t.Errorf("Unquote(%.20q...) decoded nothing", lit)
		}
	}
}
