package descriptor

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

func TestEncodeResponseGolden(t *testing.T) {
	r := Response{
		Headers: map[string]string{"X-Request-Id": "abc", "Content-Type": "application/json"},
		Body:    json.RawMessage("{\n  \"organization\": {\"slug\": \"société-€-😀\", \"balance\": 10.50, \"html\": \"<b>&\"}\n}"),
	}
	want := b64(`{"headers":{"content-type":"application/json","x-request-id":"abc"},"body":{"organization":{"slug":"société-€-😀","balance":10.50,"html":"<b>&"}}}`)
	got, err := EncodeResponse(r)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("EncodeResponse = %s, want %s", got, want)
	}
	back, err := DecodeResponse(got, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if back.Headers["content-type"] != "application/json" || !strings.Contains(string(back.Body), `"société-€-😀"`) {
		t.Fatalf("DecodeResponse = %#v", back)
	}
	if again, _ := EncodeResponse(back); again != got {
		t.Fatalf("EncodeResponse(DecodeResponse(x)) != x")
	}
}

func TestResponseBodyAbsentOrNilIsNull(t *testing.T) {
	got, err := EncodeResponse(Response{})
	if err != nil {
		t.Fatal(err)
	}
	if want := b64(`{"headers":{},"body":null}`); got != want {
		t.Fatalf("EncodeResponse(Response{}) = %s, want %s", got, want)
	}
	for _, in := range []string{`{}`, `{"headers":{}}`, `{"body":null}`, `{"body":null,"headers":{}}`} {
		r, err := DecodeResponse(b64(in), Limits{})
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if string(r.Body) != "null" || r.Headers == nil || len(r.Headers) != 0 {
			t.Fatalf("%s: got %#v, want null body and empty headers", in, r)
		}
	}
	// Each Response owns its body.
	a, _ := DecodeResponse(b64(`{}`), Limits{})
	a.Body[0] = 'X'
	b, _ := DecodeResponse(b64(`{}`), Limits{})
	if string(b.Body) != "null" {
		t.Fatalf("bodies share memory: %q", b.Body)
	}
}

func TestDecodeResponseBodies(t *testing.T) {
	for _, body := range []string{`[]`, `"text"`, `0`, `-1.5e-7`, `true`, `{"errors":[{"code":"not_found"}]}`} {
		r, err := DecodeResponse(b64(`{"headers":{"Content-Type":"application/json"},"body":`+body+`}`), Limits{})
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if string(r.Body) != body || r.Headers["content-type"] != "application/json" {
			t.Fatalf("%s: got %#v", body, r)
		}
	}
}

// Response header values come from the provider: any string is kept.
func TestResponseHeaderValuesAreLenient(t *testing.T) {
	r, err := DecodeResponse(b64(`{"headers":{"x-odd":"a\tb\u0001"},"body":1}`), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Headers["x-odd"] != "a\tb\x01" {
		t.Fatalf("header = %q", r.Headers["x-odd"])
	}
	enc, err := EncodeResponse(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := b64(`{"headers":{"x-odd":"a\tb\u0001"},"body":1}`); enc != want {
		t.Fatalf("EncodeResponse = %s, want %s", enc, want)
	}
}

var badResponses = []badInput{
	{"empty", "", Limits{}, sberr.BadResponse, "response envelope: is empty"},
	{"URL-safe alphabet", "eyJib2R5Ijoi-_8ifQ==", Limits{}, sberr.BadResponse, "URL-safe base64 alphabet"},
	{"missing padding", strings.TrimRight(b64(`{"body":1}`), "="), Limits{}, sberr.BadResponse, "padding is missing"},
	{"CRLF inside", b64(`{"body":1}`)[:4] + "\r\n" + b64(`{"body":1}`)[4:], Limits{}, sberr.BadResponse, "line break"},
	{"trailing bits", "YR==", Limits{}, sberr.BadResponse, "not canonical"},
	{"oversize", b64(`{"body":"` + strings.Repeat("x", 100) + `"}`), Limits{MaxEncoded: 64}, sberr.PayloadTooLarge, "over the 64-byte limit"},
	{"not an object", b64(`"ok"`), Limits{}, sberr.BadResponse, "must be a JSON object, got a string"},
	{"trailing data", b64(`{"body":1}x`), Limits{}, sberr.BadResponse, "has data after the JSON object"},
	{"two objects", b64(`{"body":1}{"body":2}`), Limits{}, sberr.BadResponse, "a second JSON value"},
	{"unknown key", b64(`{"status":200,"body":1}`), Limits{}, sberr.BadResponse, `unknown key "status" (allowed: "headers", "body")`},
	{"case-variant key", b64(`{"Body":1}`), Limits{}, sberr.BadResponse, `keys are case-sensitive, use "body"`},
	{"duplicate body", b64(`{"body":1,"body":2}`), Limits{}, sberr.BadResponse, `duplicate key "body"`},
	{"headers not object", b64(`{"headers":[],"body":1}`), Limits{}, sberr.BadResponse, `"headers" must be an object of strings, got an array`},
	{"headers null", b64(`{"headers":null,"body":1}`), Limits{}, sberr.BadResponse, `"headers" must be an object of strings, got null`},
	{"header value number", b64(`{"headers":{"content-length":12},"body":1}`), Limits{}, sberr.BadResponse, `header "content-length" value must be a string, got a number`},
	{"header value array", b64(`{"headers":{"set-cookie":["a","b"]},"body":1}`), Limits{}, sberr.BadResponse, `header "set-cookie" value must be a string, got an array`},
	{"header name not a token", b64(`{"headers":{"x y":"1"},"body":1}`), Limits{}, sberr.BadResponse, `header name "x y" has ' '`},
	{"headers colliding in case", b64(`{"headers":{"ETag":"1","etag":"2"},"body":1}`), Limits{}, sberr.BadResponse, `differ only in case`},
	{"too many headers", b64(`{"headers":{"a":"1","b":"2"},"body":1}`), Limits{MaxHeaders: 1}, sberr.PayloadTooLarge, "has more than 1 headers"},
	{"body invalid", b64(`{"body":[1,}`), Limits{}, sberr.BadResponse, `"body" is not valid JSON`},
	{"not UTF-8", b64("{\"body\":\"\xfe\"}"), Limits{}, sberr.BadResponse, "not valid UTF-8"},
}

func TestDecodeResponseRejects(t *testing.T) {
	for _, tt := range badResponses {
		t.Run(tt.name, func(t *testing.T) {
			r, err := DecodeResponse(tt.in, tt.limits)
			wantErr(t, err, tt.code, tt.msg)
			if r.Body != nil || r.Headers != nil {
				t.Fatalf("DecodeResponse returned %#v with an error", r)
			}
		})
	}
}

func TestEncodeResponseRejectsBadFields(t *testing.T) {
	tests := []struct {
		name string
		r    Response
		msg  string
	}{
		{"header name not a token", Response{Headers: map[string]string{"a:b": "1"}}, `header name "a:b" has ':'`},
		{"header value not UTF-8", Response{Headers: map[string]string{"a": "\xff"}}, `header "a" value is not valid UTF-8`},
		{"names colliding in case", Response{Headers: map[string]string{"A": "1", "a": "2"}}, `headers "A" and "a" differ only in case`},
		{"body not JSON", Response{Body: json.RawMessage(`{`)}, "body is not valid JSON"},
		{"body not UTF-8", Response{Body: json.RawMessage("\"\xff\"")}, "body is not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := EncodeResponse(tt.r)
			wantErr(t, err, sberr.InvalidArgument, "response envelope: "+tt.msg)
		})
	}
}
