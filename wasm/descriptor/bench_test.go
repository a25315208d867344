package descriptor

import (
	"encoding/json"
	"testing"
)

var benchRequest = Request{
	Method: "PATCH",
	Headers: map[string]string{
		"accept-language":        "fr",
		"authorization":          "Bearer undefined",
		"content-type":           "application/json",
		"x-qonto-2fa-preference": "passkey",
	},
	Path:    "/v2/sepa/beneficiaries/42?x=1",
	Payload: json.RawMessage(`{"beneficiary":{"name":"Société Générale","iban":"FR7630006000011234567890189","bic":"AGRIFRPP","trusted":true,"activity_tag":"other_expense"}}`),
}

func BenchmarkEncode(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(benchRequest); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	s, err := Encode(benchRequest)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(s, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
