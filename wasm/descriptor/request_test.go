package descriptor

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

func TestGoldenGETRoundTripsUnchanged(t *testing.T) {
	r, err := Decode(goldenGET, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := Request{
		Method: "GET",
		Headers: map[string]string{
			"accept-language":        "en",
			"authorization":          "Bearer undefined",
			"content-type":           "application/json",
			"x-qonto-2fa-preference": "passkey",
		},
		Path: "/v2/organization/",
	}
	if !equalRequest(r, want) {
		t.Fatalf("Decode = %#v, want %#v", r, want)
	}
	got, err := Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	if got != goldenGET {
		t.Fatalf("Encode(Decode(golden)) =\n%s\nwant\n%s", got, goldenGET)
	}
}

// AppendEncode writes exactly Encode's text after what dst holds.
func TestAppendEncodeAppendsEncode(t *testing.T) {
	for _, r := range []Request{benchRequest, {Method: "GET", Path: "/v2/organization"}} {
		want, err := Encode(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := AppendEncode([]byte(`{"data":"`), r)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != `{"data":"`+want {
			t.Fatalf("AppendEncode = %q, want the prefix then %q", got, want)
		}
	}
}

func TestGoldenPATCHWithPayload(t *testing.T) {
	r := Request{
		Method: "PATCH",
		Headers: map[string]string{ // mixed case and unsorted on purpose
			"X-Qonto-2FA-Preference": "passkey",
			"Content-Type":           "application/json",
			"accept-language":        "fr",
		},
		Path: "/v2/sepa/beneficiaries/42?x=1&y=%C3%A9",
		// Pretty-printed, keys not sorted, numbers in forms that a
		// re-marshal would change, HTML-sensitive characters.
		Payload: json.RawMessage(`{
			"beneficiary": {
				"name": "Société Générale",
				"iban": "FR7630006000011234567890189",
				"amount": 12.50,
				"limit": 1e3,
				"id": 12345678901234567890,
				"note": "<b>&</b> 10 €, 😀",
				"escaped": "\u00e9\n"
			},
			"activity_tag": null
		}`),
	}
	// Built by hand from the spec: keys method, headers, path, payload;
	// header names lower-case and sorted; payload compacted with its own bytes.
	wantJSON := `{"method":"PATCH","headers":{"accept-language":"fr","content-type":"application/json","x-qonto-2fa-preference":"passkey"},` +
		`"path":"/v2/sepa/beneficiaries/42?x=1&y=%C3%A9",` +
		`"payload":{"beneficiary":{"name":"Société Générale","iban":"FR7630006000011234567890189","amount":12.50,"limit":1e3,"id":12345678901234567890,"note":"<b>&</b> 10 €, 😀","escaped":"\u00e9\n"},"activity_tag":null}}`
	got, err := Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := b64(wantJSON); got != want {
		raw, _ := base64.StdEncoding.DecodeString(got)
		t.Fatalf("Encode =\n%s\nwant\n%s", raw, wantJSON)
	}
	back, err := Decode(got, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	again, err := Encode(back)
	if err != nil {
		t.Fatal(err)
	}
	if again != got {
		t.Fatalf("Encode(Decode(x)) != x")
	}
	if back.Headers["x-qonto-2fa-preference"] != "passkey" {
		t.Fatalf("headers not lower-cased: %v", back.Headers)
	}
}

func TestNoPayloadIsOmitted(t *testing.T) {
	for _, p := range []json.RawMessage{nil, {}} {
		got, err := Encode(Request{Method: "DELETE", Path: "/v2/x", Payload: p})
		if err != nil {
			t.Fatal(err)
		}
		if want := b64(`{"method":"DELETE","headers":{},"path":"/v2/x"}`); got != want {
			t.Fatalf("Encode = %s, want %s", got, want)
		}
		r, err := Decode(got, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if r.Payload != nil || r.Headers == nil || len(r.Headers) != 0 {
			t.Fatalf("Decode = %#v, want nil payload and empty non-nil headers", r)
		}
	}
}

func TestPayloadNullIsKept(t *testing.T) {
	r, err := Decode(b64(`{"method":"POST","headers":{},"path":"/v2/x","payload":null}`), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if string(r.Payload) != "null" {
		t.Fatalf("payload = %q, want null", r.Payload)
	}
}

func TestHTMLCharactersAreNotEscaped(t *testing.T) {
	got, err := Encode(Request{Method: "POST", Path: "/v2/a?b=<c>&d", Headers: map[string]string{"x-note": "<b>&"},
		Payload: json.RawMessage(`"<b>&\u2028"`)})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(got)
	want := "{\"method\":\"POST\",\"headers\":{\"x-note\":\"<b>&\"},\"path\":\"/v2/a?b=<c>&d\",\"payload\":\"<b>&\\u2028\"}"
	if string(raw) != want {
		t.Fatalf("JSON = %s, want %s", raw, want)
	}
}

func TestUTF8RoundTrips(t *testing.T) {
	texts := []string{"Société", "€", "😀", "Zürich–東京✓", "\u2028"}
	for _, s := range texts {
		payload, _ := json.Marshal(map[string]string{"name": s})
		r := Request{Method: "POST", Path: "/v2/clients/" + s, Headers: map[string]string{"x-label": s}, Payload: payload}
		enc, err := Encode(r)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		raw, _ := base64.StdEncoding.DecodeString(enc)
		if !strings.Contains(string(raw), `"x-label":"`+s+`"`) || !strings.Contains(string(raw), `"path":"/v2/clients/`+s+`"`) {
			t.Fatalf("%q not kept as raw UTF-8 in %s", s, raw)
		}
		back, err := Decode(enc, Limits{})
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		var p map[string]string
		if err := json.Unmarshal(back.Payload, &p); err != nil || p["name"] != s || back.Headers["x-label"] != s || back.Path != r.Path {
			t.Fatalf("%q did not round-trip: %#v", s, back)
		}
	}
}

// JavaScript producers may escape non-ASCII text; it decodes to the same
// text and re-encodes as raw UTF-8.
func TestDecodeEscapedUnicode(t *testing.T) {
	in := b64(`{"path":"/v2/soci\u00e9t\u00e9","method":"GET","headers":{"X-A":"\u20ac \ud83d\ude00"}}`)
	r, err := Decode(in, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Path != "/v2/société" || r.Headers["x-a"] != "€ 😀" {
		t.Fatalf("Decode = %#v", r)
	}
	got, err := Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := b64(`{"method":"GET","headers":{"x-a":"€ 😀"},"path":"/v2/société"}`); got != want {
		t.Fatalf("Encode = %s, want %s", got, want)
	}
}

func TestDecodeAcceptsAnyKeyOrderAndJSONWhiteSpace(t *testing.T) {
	in := b64(" {\n\"payload\" : [1, 2] ,\"path\":\"/v2/x\", \"headers\":{\"B\":\"2\",\"a\":\"1\"},\"method\":\"PUT\"}\n")
	r, err := Decode(in, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := b64(`{"method":"PUT","headers":{"a":"1","b":"2"},"path":"/v2/x","payload":[1,2]}`); got != want {
		t.Fatalf("Encode = %s, want %s", got, want)
	}
}

func TestEncodeRejectsBadFields(t *testing.T) {
	ok := Request{Method: "GET", Path: "/v2/x", Headers: map[string]string{"accept": "application/json"}}
	tests := []struct {
		name string
		edit func(*Request)
		msg  string
	}{
		{"empty method", func(r *Request) { r.Method = "" }, "method is empty"},
		{"method with space", func(r *Request) { r.Method = "GE T" }, "method has ' '"},
		{"method with CRLF", func(r *Request) { r.Method = "GET\r\n" }, "method has '\\r'"},
		{"empty header name", func(r *Request) { r.Headers = map[string]string{"": "x"} }, `header name "" is empty`},
		{"header name with space", func(r *Request) { r.Headers = map[string]string{"x y": "x"} }, `header name "x y" has ' '`},
		{"header name with colon", func(r *Request) { r.Headers = map[string]string{"x:y": "x"} }, `header name "x:y" has ':'`},
		{"header name with CRLF", func(r *Request) { r.Headers = map[string]string{"x\r\ny": "x"} }, `header name "x\r\ny" has '\r'`},
		{"header name not ASCII", func(r *Request) { r.Headers = map[string]string{"é": "x"} }, `header name "é" has`},
		{"header value with CRLF", func(r *Request) { r.Headers = map[string]string{"x": "a\r\nb"} }, `header "x" value has control character '\r'`},
		{"header value with LF", func(r *Request) { r.Headers = map[string]string{"x": "a\nb"} }, `header "x" value has control character '\n'`},
		{"header value with NUL", func(r *Request) { r.Headers = map[string]string{"x": "a\x00"} }, `header "x" value has control character '\x00'`},
		{"header value not UTF-8", func(r *Request) { r.Headers = map[string]string{"x": "\xff"} }, `header "x" value is not valid UTF-8`},
		{"header names differing in case", func(r *Request) { r.Headers = map[string]string{"Accept": "a", "accept": "b"} }, `headers "Accept" and "accept" differ only in case`},
		{"empty path", func(r *Request) { r.Path = "" }, "path is empty"},
		{"relative path", func(r *Request) { r.Path = "v2/x" }, `path must start with "/"`},
		{"absolute URL", func(r *Request) { r.Path = "https://example.invalid/v2" }, `path must start with "/"`},
		{"scheme-relative path", func(r *Request) { r.Path = "//example.invalid/v2" }, `path must not start with "//"`},
		{"backslash path", func(r *Request) { r.Path = `/\example.invalid/v2` }, `path must not start with "//" or "/\"`},
		{"path with space", func(r *Request) { r.Path = "/v2/a b" }, "path has a space or control character at byte 5"},
		{"path with CRLF", func(r *Request) { r.Path = "/v2/a\r\nHost: x" }, "path has a space or control character"},
		{"path not UTF-8", func(r *Request) { r.Path = "/v2/\xff" }, "path is not valid UTF-8"},
		{"payload not JSON", func(r *Request) { r.Payload = json.RawMessage(`{"a":`) }, "payload is not valid JSON"},
		{"payload with trailing data", func(r *Request) { r.Payload = json.RawMessage(`{"a":1}x`) }, "payload is not valid JSON"},
		{"payload of two values", func(r *Request) { r.Payload = json.RawMessage(`{} {}`) }, "payload is not valid JSON"},
		{"payload only space", func(r *Request) { r.Payload = json.RawMessage(` `) }, "payload is not valid JSON"},
		{"payload with case twins", func(r *Request) { r.Payload = json.RawMessage(`{"Iban":"a","iban":"b"}`) }, `payload: members "Iban" and "iban"`},
		{"payload with fold twins", func(r *Request) { r.Payload = json.RawMessage(`{"u":{"paſſword":"a","password":"b"}}`) }, `payload: members "paſſword" and "password" in the object at "/u"`},
		{"payload with a lone surrogate", func(r *Request) { r.Payload = json.RawMessage(`{"a\ud800":"b"}`) }, "payload: a member name in the object at the top level: holds an unpaired UTF-16 surrogate"},
		{"payload not UTF-8", func(r *Request) { r.Payload = json.RawMessage("\"\xff\"") }, "payload is not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			tt.edit(&r)
			_, err := Encode(r)
			wantErr(t, err, sberr.InvalidArgument, tt.msg)
			if !strings.HasPrefix(err.Error(), "invalid_argument: request descriptor: ") {
				t.Fatalf("message does not name the format: %v", err)
			}
			// AppendEncode refuses the same, and leaves dst alone.
			dst, err2 := AppendEncode([]byte("kept"), r)
			if err2 == nil || err2.Error() != err.Error() || string(dst) != "kept" {
				t.Fatalf("AppendEncode = %q, %v; want \"kept\", %v", dst, err2, err)
			}
		})
	}
}

// Header values are never echoed: they may be secrets.
func TestErrorsDoNotEchoHeaderValues(t *testing.T) {
	_, err := Encode(Request{Method: "GET", Path: "/x", Headers: map[string]string{"authorization": "Bearer s3cret\n"}})
	wantErr(t, err, sberr.InvalidArgument, `header "authorization" value`)
	if strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("error echoes the value: %v", err)
	}
	_, err = Decode(b64(`{"method":"GET","path":"/x","headers":{"authorization":"Bearer s3cret\u0000"}}`), Limits{})
	wantErr(t, err, sberr.InvalidArgument, `header "authorization" value`)
	if strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("error echoes the value: %v", err)
	}
}

func TestDefaultLimits(t *testing.T) {
	want := Limits{MaxEncoded: 1 << 20, MaxHeaders: 64, MaxHeaderBytes: 8 << 10}
	if DefaultLimits != want || (Limits{}).withDefaults() != want || (Limits{-1, -1, -1}).withDefaults() != want {
		t.Fatalf("DefaultLimits = %+v, want %+v", DefaultLimits, want)
	}
	big := strings.Repeat("a", 8<<10)
	r := Request{Method: "GET", Path: "/x", Headers: map[string]string{"x": big}}
	enc, err := Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(enc, Limits{}); err != nil {
		t.Fatalf("a value of exactly 8 KiB: %v", err)
	}
	r.Headers["x"] += "a"
	enc, _ = Encode(r)
	_, err = Decode(enc, Limits{})
	wantErr(t, err, sberr.PayloadTooLarge, `header "x" value is 8193 bytes, over the 8192-byte limit`)

	_, err = Decode(strings.Repeat("A", 1<<20+4), Limits{})
	wantErr(t, err, sberr.PayloadTooLarge, "is 1048580 bytes, over the 1048576-byte limit")
}
