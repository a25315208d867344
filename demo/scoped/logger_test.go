package scoped

import (
	"bytes"
	"log/slog"
	"testing"
)

// The verifier writes through the redacting handler whatever logger it is
// given: a token under a sensitive key is masked.
func TestVerifierLoggerIsRedacted(t *testing.T) {
	var buf bytes.Buffer
	v, err := NewVerifier(VerifierConfig{JWKSURL: "https://provider.test/jwks", Issuer: "i", Audience: "a",
		Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	if err != nil {
		t.Fatal(err)
	}
	v.log.Info("probe", "access_token", "sbx_at_logger-canary")
	if bytes.Contains(buf.Bytes(), []byte("sbx_at_logger-canary")) || !bytes.Contains(buf.Bytes(), []byte(`"msg":"probe"`)) {
		t.Fatalf("log: %s", buf.String())
	}
}
