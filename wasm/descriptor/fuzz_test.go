package descriptor

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// roomy limits for the second decode: a canonical re-encoding may be a
// little longer than the input (an added "headers":{}, say).
var roomy = Limits{MaxEncoded: 1 << 30, MaxHeaders: 1 << 20, MaxHeaderBytes: 1 << 30}

// FuzzDecodeDescriptor checks that Decode never panics and that whatever it
// accepts is a canonical fixpoint: Encode succeeds, its output decodes to an
// equal Request and re-encodes to the same string. Each input is tried both
// as the descriptor and as the JSON text inside one, so that the mutator
// also works on the JSON directly.
func FuzzDecodeDescriptor(f *testing.F) {
	f.Add(goldenGET)
	f.Add(goldenJSON)
	f.Add(`{"method":"PATCH","headers":{"Content-Type":"application/json"},"path":"/v2/x?y=1","payload":{"b":[1,2.50,"é<&>"],"a":null}}`)
	f.Add(`{"path":"/v2/soci\u00e9t\u00e9","method":"GET","headers":{"X-A":"\u20ac \ud83d\ude00"}}`)
	for _, b := range badDescriptors {
		f.Add(b.in)
		if raw, err := base64.StdEncoding.DecodeString(b.in); err == nil {
			f.Add(string(raw))
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkDescriptorFixpoint(t, s)
		checkDescriptorFixpoint(t, base64.StdEncoding.EncodeToString([]byte(s)))
	})
}

func checkDescriptorFixpoint(t *testing.T, s string) {
	r, err := Decode(s, Limits{})
	if err != nil {
		return
	}
	enc, err := Encode(r)
	if err != nil {
		t.Fatalf("Decode accepted %q as %#v but Encode refuses it: %v", s, r, err)
	}
	r2, err := Decode(enc, roomy)
	if err != nil {
		t.Fatalf("Decode refuses its own re-encoding %q: %v", enc, err)
	}
	if !equalRequest(r, r2) {
		t.Fatalf("not a fixpoint:\n%#v\n%#v", r, r2)
	}
	if enc2, _ := Encode(r2); enc2 != enc {
		t.Fatalf("re-encoding is not canonical:\n%s\n%s", enc, enc2)
	}
}

// FuzzDecodeResponse is FuzzDecodeDescriptor for response envelopes.
func FuzzDecodeResponse(f *testing.F) {
	f.Add(b64(`{"headers":{"content-type":"application/json"},"body":{"a":[1,"€"]}}`))
	f.Add(`{"body":null}`)
	f.Add(`{"headers":{"X-Odd":"a\tb\u0001"},"body":"<b>&"}`)
	for _, b := range badResponses {
		f.Add(b.in)
		if raw, err := base64.StdEncoding.DecodeString(b.in); err == nil {
			f.Add(string(raw))
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkResponseFixpoint(t, s)
		checkResponseFixpoint(t, base64.StdEncoding.EncodeToString([]byte(s)))
	})
}

func checkResponseFixpoint(t *testing.T, s string) {
	r, err := DecodeResponse(s, Limits{})
	if err != nil {
		return
	}
	enc, err := EncodeResponse(r)
	if err != nil {
		t.Fatalf("DecodeResponse accepted %q as %#v but EncodeResponse refuses it: %v", s, r, err)
	}
	r2, err := DecodeResponse(enc, roomy)
	if err != nil {
		t.Fatalf("DecodeResponse refuses its own re-encoding %q: %v", enc, err)
	}
	if !equalResponse(r, r2) {
		t.Fatalf("not a fixpoint:\n%#v\n%#v", r, r2)
	}
	if enc2, _ := EncodeResponse(r2); enc2 != enc {
		t.Fatalf("re-encoding is not canonical:\n%s\n%s", enc, enc2)
	}
}

// FuzzEncode checks the other direction: whatever Encode accepts, Decode
// reads back as the same request with lower-cased header names.
func FuzzEncode(f *testing.F) {
	f.Add("GET", "Accept-Language", "en", "/v2/organization/", "")
	f.Add("PATCH", "x-a", "Société € 😀 <b>&", "/v2/x?y=1", `{"a": [1, 2.50]}`)
	f.Add("POST", "x", "a\tb\u2028", "/v2/é", `"\u2028"`)
	f.Fuzz(func(t *testing.T, method, name, value, path, payload string) {
		r := Request{Method: method, Headers: map[string]string{name: value}, Path: path}
		if payload != "" {
			r.Payload = json.RawMessage(payload)
		}
		enc, err := Encode(r)
		if err != nil {
			return
		}
		back, err := Decode(enc, roomy)
		if err != nil {
			t.Fatalf("Decode refuses Encode's output %q: %v", enc, err)
		}
		if back.Method != method || back.Path != path || len(back.Headers) != 1 {
			t.Fatalf("round trip changed the request: %#v -> %#v", r, back)
		}
		for n, v := range back.Headers {
			if v != value || n != strings.ToLower(name) {
				t.Fatalf("header %q: %q -> %q: %q", name, value, n, v)
			}
		}
		if payload != "" && !json.Valid(back.Payload) {
			t.Fatalf("payload %q came back as %q", payload, back.Payload)
		}
		if again, _ := Encode(back); again != enc {
			t.Fatalf("Encode(Decode(Encode(r))) != Encode(r)")
		}
	})
}
