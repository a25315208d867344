package session

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// maxTokenLen bounds the token the page may hand over. Checkout tokens are a
// few hundred bytes; anything this large is a mistake, not a token.
const maxTokenLen = 64 << 10

// maxExp bounds exp (seconds since 1970) so that converting it to a
// time.Time cannot overflow; 1e15 s is some 31 million years.
const maxExp = 1e15

// Claims of a checkout scoped token: partner_id, client_id,
// customer_id, invoice_id, exp.
type Claims struct {
	PartnerID, ClientID, CustomerID, InvoiceID string
	ExpiresAt                                  time.Time
}

// ParseClaims reads a JWT's payload without verifying it (servers verify).
// A token that is not three dot-separated parts, whose payload is not
// base64url, not a JSON object, or has no numeric exp, gives an error with
// code sberr.TokenInvalid. The ids may be JSON strings or numbers (numbers
// become their decimal text); ids that are absent, null or of another type
// are left empty, as the page only displays them.
func ParseClaims(token string) (Claims, error) {
	if len(token) > maxTokenLen {
		return Claims{}, sberr.New(sberr.TokenInvalid, "access token is %d bytes long, over the %d-byte limit; pass the checkout token from your backend", len(token), maxTokenLen)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Claims{}, sberr.New(sberr.TokenInvalid, "access token has %d dot-separated parts, a JWT has 3; pass the checkout token from your backend", len(parts))
	}
	// JWTs are unpadded; tolerate padding some encoders add anyway.
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return Claims{}, sberr.Wrap(err, sberr.TokenInvalid, "access token payload is not base64url: %v", err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(payload, &raw); err != nil || raw == nil { // raw == nil: payload "null"
		return Claims{}, sberr.Wrap(err, sberr.TokenInvalid, "access token payload is not a JSON object")
	}
	exp, err := parseExp(raw["exp"])
	if err != nil {
		return Claims{}, err
	}
	return Claims{
		PartnerID:  idText(raw["partner_id"]),
		ClientID:   idText(raw["client_id"]),
		CustomerID: idText(raw["customer_id"]),
		InvoiceID:  idText(raw["invoice_id"]),
		ExpiresAt:  exp,
	}, nil
}

// parseExp reads a NumericDate (RFC 7519: seconds, possibly fractional).
func parseExp(v json.RawMessage) (time.Time, error) {
	n, ok := number(v)
	if !ok {
		return time.Time{}, sberr.New(sberr.TokenInvalid, "access token has no numeric exp claim; mint it with exp in seconds since 1970")
	}
	if i, err := n.Int64(); err == nil && i > -maxExp && i < maxExp {
		return time.Unix(i, 0), nil
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || f <= -maxExp || f >= maxExp {
		return time.Time{}, sberr.New(sberr.TokenInvalid, "access token exp %s is out of range; mint it with exp in seconds since 1970", n)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e9))), nil
}

// idText renders an id claim: strings as they are, numbers as decimal text.
func idText(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	n, ok := number(v)
	if !ok {
		return ""
	}
	if isDecimalInteger(string(n)) { // keeps ids beyond float64 precision exact
		return string(n)
	}
	f, err := n.Float64()
	if err != nil {
		return string(n)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// number returns v as a JSON number, if it is one.
func number(v json.RawMessage) (json.Number, bool) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || (v[0] != '-' && (v[0] < '0' || v[0] > '9')) {
		return "", false
	}
	var n json.Number
	if json.Unmarshal(v, &n) != nil {
		return "", false
	}
	return n, true
}

func isDecimalInteger(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
