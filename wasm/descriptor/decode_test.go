package descriptor

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

type badInput struct {
	name   string
	in     string
	limits Limits
	code   sberr.Code
	msg    string
}

// goldenJSON is the golden descriptor's JSON text.
const goldenJSON = `{"method":"GET","headers":{"accept-language":"en","authorization":"Bearer undefined","content-type":"application/json","x-qonto-2fa-preference":"passkey"},"path":"/v2/organization/"}`

// urlSafeDescriptor is a valid descriptor whose base64 holds '+' and '/',
// so that its URL-safe form differs.
const urlSafeDescriptor = `{"method":"GET","headers":{},"path":"/v2/x?q=???>>>"}`

// badDescriptors are inputs Decode must refuse; they also seed the fuzzer.
var badDescriptors = []badInput{
	// base64 layer
	{"empty", "", Limits{}, sberr.InvalidArgument, "request descriptor: is empty"},
	{"URL-safe alphabet", base64.URLEncoding.EncodeToString([]byte(urlSafeDescriptor)), Limits{}, sberr.InvalidArgument, "URL-safe base64 alphabet"},
	{"raw (unpadded) base64", strings.TrimRight(goldenGET, "="), Limits{}, sberr.InvalidArgument, "'=' padding is missing"},
	{"CRLF inside", goldenGET[:76] + "\r\n" + goldenGET[76:], Limits{}, sberr.InvalidArgument, "byte 76 is white space or a line break"},
	{"LF at end", goldenGET + "\n", Limits{}, sberr.InvalidArgument, "line break"},
	{"space inside", goldenGET[:8] + " " + goldenGET[8:], Limits{}, sberr.InvalidArgument, "byte 8 is white space"},
	{"non-zero trailing bits", strings.TrimSuffix(goldenGET, "0=") + "1=", Limits{}, sberr.InvalidArgument, "not canonical"},
	{"non-zero trailing bits, short", "YR==", Limits{}, sberr.InvalidArgument, "not canonical"},
	{"padding in the middle", "YQ==YQ==", Limits{}, sberr.InvalidArgument, "padding '=' in the middle"},
	{"three padding characters", "Y===", Limits{}, sberr.InvalidArgument, "3 padding characters"},
	{"wrong length", "YWJ", Limits{}, sberr.InvalidArgument, "not a multiple of 4"},
	{"other character", "YWJj!A==", Limits{}, sberr.InvalidArgument, `byte 4 ('!') is not in the standard base64 alphabet`},
	{"oversize", goldenGET, Limits{MaxEncoded: 16}, sberr.PayloadTooLarge, "over the 16-byte limit"},
	// JSON layer
	{"not JSON", b64("hello"), Limits{}, sberr.InvalidArgument, "is not valid JSON"},
	{"JSON array", b64(`[]`), Limits{}, sberr.InvalidArgument, "must be a JSON object, got an array"},
	{"JSON null", b64(`null`), Limits{}, sberr.InvalidArgument, "must be a JSON object, got null"},
	{"empty JSON text", b64(` `), Limits{}, sberr.InvalidArgument, "JSON ends too early"},
	{"truncated", b64(`{"method":"GET"`), Limits{}, sberr.InvalidArgument, "JSON ends too early"},
	{"trailing comma", b64(`{"method":"GET",}`), Limits{}, sberr.InvalidArgument, "is not valid JSON"},
	{"trailing data", b64(goldenJSON + "x"), Limits{}, sberr.InvalidArgument, "has data after the JSON object"},
	{"two objects", b64(goldenJSON + goldenJSON), Limits{}, sberr.InvalidArgument, "has data after the JSON object (a second JSON value)"},
	{"object then number", b64(goldenJSON + " 1"), Limits{}, sberr.InvalidArgument, "has data after the JSON object"},
	{"not UTF-8", b64("{\"method\":\"GET\",\"path\":\"/v2/\xff\"}"), Limits{}, sberr.InvalidArgument, "JSON text is not valid UTF-8"},
	{"unknown key", b64(`{"method":"GET","path":"/x","body":{}}`), Limits{}, sberr.InvalidArgument, `unknown key "body" (allowed: "method", "headers", "path", "payload")`},
	{"duplicate method", b64(`{"method":"GET","method":"DELETE","path":"/x"}`), Limits{}, sberr.InvalidArgument, `duplicate key "method"`},
	{"duplicate path", b64(`{"method":"GET","path":"/x","path":"/y"}`), Limits{}, sberr.InvalidArgument, `duplicate key "path"`},
	{"duplicate payload", b64(`{"method":"GET","path":"/x","payload":1,"payload":2}`), Limits{}, sberr.InvalidArgument, `duplicate key "payload"`},
	{"duplicate by escape", b64(`{"method":"GET","m\u0065thod":"DELETE","path":"/x"}`), Limits{}, sberr.InvalidArgument, `duplicate key "method"`},
	{"case-variant key", b64(`{"Method":"GET","path":"/x"}`), Limits{}, sberr.InvalidArgument, `unknown key "Method": keys are case-sensitive, use "method"`},
	{"case-variant beside the key", b64(`{"method":"GET","METHOD":"DELETE","path":"/x"}`), Limits{}, sberr.InvalidArgument, `unknown key "METHOD"`},
	{"missing method", b64(`{"headers":{},"path":"/x"}`), Limits{}, sberr.InvalidArgument, `"method" is missing`},
	{"missing path", b64(`{"method":"GET","headers":{}}`), Limits{}, sberr.InvalidArgument, `"path" is missing`},
	{"method not a string", b64(`{"method":1,"path":"/x"}`), Limits{}, sberr.InvalidArgument, `"method" must be a string, got a number`},
	{"method null", b64(`{"method":null,"path":"/x"}`), Limits{}, sberr.InvalidArgument, `"method" must be a string, got null`},
	{"method empty", b64(`{"method":"","path":"/x"}`), Limits{}, sberr.InvalidArgument, "method is empty"},
	{"method not a token", b64(`{"method":"GET /evil","path":"/x"}`), Limits{}, sberr.InvalidArgument, "method has ' '"},
	{"path not a string", b64(`{"method":"GET","path":["/x"]}`), Limits{}, sberr.InvalidArgument, `"path" must be a string, got an array`},
	{"path without slash", b64(`{"method":"GET","path":"v2/x"}`), Limits{}, sberr.InvalidArgument, `path must start with "/"`},
	{"path empty", b64(`{"method":"GET","path":""}`), Limits{}, sberr.InvalidArgument, "path is empty"},
	{"path to another host", b64(`{"method":"GET","path":"//example.invalid/x"}`), Limits{}, sberr.InvalidArgument, `must not start with "//"`},
	{"path with CRLF", b64(`{"method":"GET","path":"/x\r\nHost: y"}`), Limits{}, sberr.InvalidArgument, "path has a space or control character at byte 2"},
	{"headers array", b64(`{"method":"GET","headers":[],"path":"/x"}`), Limits{}, sberr.InvalidArgument, `"headers" must be an object of strings, got an array`},
	{"headers string", b64(`{"method":"GET","headers":"a: b","path":"/x"}`), Limits{}, sberr.InvalidArgument, `"headers" must be an object of strings, got a string`},
	{"headers null", b64(`{"method":"GET","headers":null,"path":"/x"}`), Limits{}, sberr.InvalidArgument, `"headers" must be an object of strings, got null`},
	{"duplicate headers key", b64(`{"method":"GET","headers":{},"headers":{},"path":"/x"}`), Limits{}, sberr.InvalidArgument, `duplicate key "headers"`},
	{"header value number", b64(`{"method":"GET","headers":{"x-n":1},"path":"/x"}`), Limits{}, sberr.InvalidArgument, `header "x-n" value must be a string, got a number`},
	{"header value object", b64(`{"method":"GET","headers":{"x-n":{}},"path":"/x"}`), Limits{}, sberr.InvalidArgument, `header "x-n" value must be a string, got an object`},
	{"header value null", b64(`{"method":"GET","headers":{"x-n":null},"path":"/x"}`), Limits{}, sberr.InvalidArgument, `header "x-n" value must be a string, got null`},
	{"header value boolean", b64(`{"method":"GET","headers":{"x-n":true},"path":"/x"}`), Limits{}, sberr.InvalidArgument, `header "x-n" value must be a string, got a boolean`},
	{"header name with space", b64(`{"method":"GET","headers":{"x n":"1"},"path":"/x"}`), Limits{}, sberr.InvalidArgument, `header name "x n" has ' '`},
	{"header name with colon", b64(`{"method":"GET","headers":{"host:x":"1"},"path":"/x"}`), Limits{}, sberr.InvalidArgument, `header name "host:x" has ':'`},
	{"header name with CRLF", b64(`{"method":"GET","headers":{"x\r\nhost":"1"},"path":"/x"}`), Limits{}, sberr.InvalidArgument, `header name "x\r\nhost" has '\r'`},
	{"header name empty", b64(`{"method":"GET","headers":{"":"1"},"path":"/x"}`), Limits{}, sberr.InvalidArgument, `header name "" is empty`},
	{"header value with CRLF", b64(`{"method":"GET","headers":{"x-a":"1\r\nhost: y"},"path":"/x"}`), Limits{}, sberr.InvalidArgument, `header "x-a" value has control character '\r' at byte 1`},
	{"header value with NUL", b64(`{"method":"GET","headers":{"x-a":"1\u0000"},"path":"/x"}`), Limits{}, sberr.InvalidArgument, `header "x-a" value has control character '\x00'`},
	{"duplicate header", b64(`{"method":"GET","headers":{"x-a":"1","x-a":"2"},"path":"/x"}`), Limits{}, sberr.InvalidArgument, `duplicate header "x-a"`},
	{"headers colliding in case", b64(`{"method":"GET","headers":{"Authorization":"a","authorization":"b"},"path":"/x"}`), Limits{}, sberr.InvalidArgument, `headers "Authorization" and "authorization" differ only in case`},
	{"too many headers", goldenGET, Limits{MaxHeaders: 3}, sberr.PayloadTooLarge, "has more than 3 headers"},
	{"header value too long", goldenGET, Limits{MaxHeaderBytes: 15}, sberr.PayloadTooLarge, `header "authorization" value is 16 bytes, over the 15-byte limit`},
	{"header name too long", goldenGET, Limits{MaxHeaderBytes: 16}, sberr.PayloadTooLarge, `header name "x-qonto-2fa-preference" is 22 bytes`},
	{"payload invalid", b64(`{"method":"GET","path":"/x","payload":{"a":}}`), Limits{}, sberr.InvalidArgument, `"payload" is not valid JSON`},
	// strict-JSON rule set, payload included: no reader may see a twin
	{"case-variant twin keys", b64(`{"METHOD":"DELETE","method":"GET","path":"/x"}`), Limits{}, sberr.InvalidArgument, `unknown key "METHOD": keys are case-sensitive, use "method"`},
	{"Kelvin-sign twin header", b64(`{"method":"GET","headers":{"k":"1","\u212a":"2"},"path":"/x"}`), Limits{}, sberr.InvalidArgument, "headers \"k\" and \"\u212a\" differ only in case"},
	{"payload case twins", b64(`{"method":"POST","path":"/x","payload":{"Password":"clear","password":"x"}}`), Limits{}, sberr.InvalidArgument, `members "Password" and "password" in the object at "/payload" are equal after Unicode case folding`},
	{"payload fold twins", b64(`{"method":"POST","path":"/x","payload":{"u":[{"pa\u017fsword":"clear","pasSword":"x"}]}}`), Limits{}, sberr.InvalidArgument, `in the object at "/payload/u/0" are equal after Unicode case folding`},
	{"payload duplicate", b64(`{"method":"POST","path":"/x","payload":{"p":"clear","p":"x"}}`), Limits{}, sberr.InvalidArgument, `member "p" appears twice in the object at "/payload"`},
	{"payload lone surrogate in a name", b64(`{"method":"POST","path":"/x","payload":{"a\ud800":"clear","a\ufffd":"x"}}`), Limits{}, sberr.InvalidArgument, `unpaired UTF-16 surrogate escape (a member name in the object at "/payload")`},
	{"payload lone surrogate in a value", b64(`{"method":"POST","path":"/x","payload":{"a":"\udc00"}}`), Limits{}, sberr.InvalidArgument, `unpaired UTF-16 surrogate escape (the value at "/payload/a")`},
	{"payload too deep", b64(`{"method":"POST","path":"/x","payload":` + strings.Repeat("[", 64) + strings.Repeat("]", 64) + `}`), Limits{}, sberr.InvalidArgument, "nests too deeply"},
	{"payload missing value", b64(`{"method":"GET","path":"/x","payload":}`), Limits{}, sberr.InvalidArgument, `"payload" is not valid JSON`},
}

func TestDecodeRejects(t *testing.T) {
	for _, tt := range badDescriptors {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Decode(tt.in, tt.limits)
			wantErr(t, err, tt.code, tt.msg)
			if !equalRequest(r, Request{}) {
				t.Fatalf("Decode returned %#v with an error", r)
			}
		})
	}
}

func TestURLSafeSeedReallyUsesURLSafeAlphabet(t *testing.T) {
	std := b64(urlSafeDescriptor)
	if !strings.ContainsAny(std, "+/") {
		t.Fatalf("%s has no '+' or '/'; pick another seed", std)
	}
	if _, err := Decode(std, Limits{}); err != nil {
		t.Fatalf("the standard form must decode: %v", err)
	}
}

// Base64 that a lenient decoder would accept: Go's own StdEncoding skips
// line breaks and, without Strict, ignores trailing bits.
func TestLenientBase64IsRefusedWhereGoWouldAccept(t *testing.T) {
	for _, s := range []string{goldenGET[:76] + "\r\n" + goldenGET[76:], strings.TrimSuffix(goldenGET, "0=") + "1="} {
		if _, err := base64.StdEncoding.DecodeString(s); err != nil {
			t.Fatalf("the plain decoder refuses %q: %v (test premise broken)", s, err)
		}
		if _, err := Decode(s, Limits{}); err == nil {
			t.Fatalf("Decode accepted %q", s)
		}
	}
}

// A hostile key must not flood the logs through the error message.
func TestLongKeyIsCutInMessage(t *testing.T) {
	_, err := Decode(b64(`{"`+strings.Repeat("k", 100000)+`":1}`), Limits{})
	wantErr(t, err, sberr.InvalidArgument, `unknown key "kkkk`)
	if len(err.Error()) > 200 {
		t.Fatalf("message is %d bytes long", len(err.Error()))
	}
}

// Two header names that differ only in case are refused wherever they
// fall among the others, request or response, decoded or encoded, and the
// message names both as given.
func TestCaseCollidingHeadersNamedAtEveryPosition(t *testing.T) {
	for size := 1; size <= 12; size++ {
		for earlier := range size {
			names := make([]string, size)
			for i := range names {
				names[i] = "X-H" + string(rune('a'+i))
			}
			twin := strings.ToLower(names[earlier])
			want := `headers "` + names[earlier] + `" and "` + twin + `" differ only in case`
			var members []string
			for _, n := range append(names, twin) {
				members = append(members, `"`+n+`":"v"`)
			}
			hs := "{" + strings.Join(members, ",") + "}"
			_, err := Decode(b64(`{"method":"GET","headers":`+hs+`,"path":"/x"}`), Limits{})
			wantErr(t, err, sberr.InvalidArgument, want)
			_, err = DecodeResponse(b64(`{"headers":`+hs+`,"body":1}`), Limits{})
			wantErr(t, err, sberr.BadResponse, want)
			m := map[string]string{twin: "v"}
			for _, n := range names {
				m[n] = "v"
			}
			_, err = Encode(Request{Method: "GET", Path: "/x", Headers: m})
			wantErr(t, err, sberr.InvalidArgument, want)
			_, err = EncodeResponse(Response{Headers: m, Body: []byte("1")})
			wantErr(t, err, sberr.InvalidArgument, want)
		}
	}
}
