package session

import (
	"encoding/base64"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/sealbridge/sealbridge/internal/strictjson"
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
// base64url, not a JSON object under the strict-JSON rules (no claim
// twice, no twins under case folding), or has no numeric exp, gives an
// error with code sberr.TokenInvalid. The ids may be JSON strings or numbers (numbers
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
	raw, err := strictjson.DecodeObject(payload)
	if err != nil {
		if strictjson.NotJSON(err) || errors.Is(err, strictjson.ErrNotObject) {
			return Claims{}, sberr.Wrap(err, sberr.TokenInvalid, "access token payload is not a JSON object")
		}
		// Valid JSON that readers could take differently (a claim twice,
		// twins under case folding, broken UTF-8, a lone surrogate), or
		// nested past the depth limit: err says which.
		return Claims{}, sberr.Wrap(err, sberr.TokenInvalid, "access token payload: %v; mint the token with each claim named once, in valid UTF-8, nested less deeply", err)
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
func parseExp(v []byte) (time.Time, error) {
	n, ok := number(v)
	if !ok {
		return time.Time{}, sberr.New(sberr.TokenInvalid, "access token has no numeric exp claim; mint it with exp in seconds since 1970")
	}
	if i, err := strconv.ParseInt(n, 10, 64); err == nil && i > -maxExp && i < maxExp {
		return time.Unix(i, 0), nil
	}
	f, err := strconv.ParseFloat(n, 64)
	if err != nil || math.IsNaN(f) || f <= -maxExp || f >= maxExp {
		return time.Time{}, sberr.New(sberr.TokenInvalid, "access token exp %s is out of range; mint it with exp in seconds since 1970", n)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e9))), nil
}

// idText renders an id claim: strings as they are, numbers as decimal text.
func idText(v []byte) string {
	if strictjson.KindAt(v) == strictjson.String {
		s, _ := strictjson.Unquote(v) // the walk has read the literal
		return string(s)
	}
	n, ok := number(v)
	if !ok {
		return ""
	}
	if isDecimalInteger(n) { // keeps ids beyond float64 precision exact
		return n
	}
	f, err := strconv.ParseFloat(n, 64)
	if err != nil {
		return n
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// number returns the text of v, a member value the strict-JSON walk has
// read, if it is a JSON number.
func number(v []byte) (string, bool) {
	if strictjson.KindAt(v) != strictjson.Number {
		return "", false
	}
	return string(v), true
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
