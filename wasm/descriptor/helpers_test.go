package descriptor

import (
	"bytes"
	"encoding/base64"
	"maps"
	"strings"
	"testing"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// goldenGET is what the Qonto Embed SDK 0.64.2 produces for GET /v2/organization/.
const goldenGET = "eyJtZXRob2QiOiJHRVQiLCJoZWFkZXJzIjp7ImFjY2VwdC1sYW5ndWFnZSI6ImVuIiwiYXV0aG9yaXphdGlvbiI6IkJlYXJlciB1bmRlZmluZWQiLCJjb250ZW50LXR5cGUiOiJhcHBsaWNhdGlvbi9qc29uIiwieC1xb250by0yZmEtcHJlZmVyZW5jZSI6InBhc3NrZXkifSwicGF0aCI6Ii92Mi9vcmdhbml6YXRpb24vIn0="

// b64 encodes JSON text the way the SDK does, independently of the code under test.
func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// wantErr checks the stable code and that the message says what is wrong.
func wantErr(t *testing.T, err error, code sberr.Code, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s containing %q", code, msg)
	}
	if got := sberr.CodeOf(err); got != code {
		t.Fatalf("code = %s, want %s (error: %v)", got, code, err)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Fatalf("error %q does not contain %q", err.Error(), msg)
	}
}

func equalRequest(a, b Request) bool {
	return a.Method == b.Method && a.Path == b.Path && maps.Equal(a.Headers, b.Headers) &&
		bytes.Equal(a.Payload, b.Payload) && (a.Payload == nil) == (b.Payload == nil)
}

func equalResponse(a, b Response) bool {
	return maps.Equal(a.Headers, b.Headers) && bytes.Equal(a.Body, b.Body)
}
