package session

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/internal/strictjson"
	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// FuzzClaimsAsEncodingJSON holds ParseClaims to the reader it replaced,
// built on encoding/json (claimsByEncodingJSON): on every payload the
// strict-JSON rules accept, the same claims or the same error; on a
// payload they refuse, a token_invalid error.
func FuzzClaimsAsEncodingJSON(f *testing.F) {
	for _, s := range []string{`{"partner_id":"p1","client_id":2,"exp":1700000000}`, `{"exp":1.5e9,"invoice_id":-0.25}`,
		`{"exp":-0,"customer_id":12345678901234567890123}`, `{"exp":1e300}`, `{"exp":"1"}`, `null`, `[1]`, `{"exp":1,"EXP":2}`,
		`{"exp":9.99999999999999e14,"client_id":"\u00e9"}`, `{"exp":1E2,"partner_id":1e-7}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		got, err := ParseClaims(jwt(string(payload)))
		if strictjson.Validate(payload) != nil {
			require.Error(t, err)
			require.Equal(t, sberr.TokenInvalid, sberr.CodeOf(err))
			return
		}
		want, wantErr := claimsByEncodingJSON(payload)
		if wantErr != nil {
			require.Error(t, err)
			require.Equal(t, wantErr.Error(), err.Error())
			return
		}
		require.NoError(t, err)
		require.Equal(t, []string{want.PartnerID, want.ClientID, want.CustomerID, want.InvoiceID},
			[]string{got.PartnerID, got.ClientID, got.CustomerID, got.InvoiceID})
		require.True(t, want.ExpiresAt.Equal(got.ExpiresAt), "exp: want %v, got %v", want.ExpiresAt, got.ExpiresAt)
	})
}

// claimsByEncodingJSON is how ParseClaims read a payload before the module
// dropped encoding/json, kept here as the reference.
func claimsByEncodingJSON(payload []byte) (Claims, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(payload, &raw); err != nil || raw == nil {
		return Claims{}, sberr.Wrap(err, sberr.TokenInvalid, "access token payload is not a JSON object")
	}
	n, ok := refNumber(raw["exp"])
	if !ok {
		return Claims{}, sberr.New(sberr.TokenInvalid, "access token has no numeric exp claim; mint it with exp in seconds since 1970")
	}
	var exp time.Time
	if i, err := n.Int64(); err == nil && i > -maxExp && i < maxExp {
		exp = time.Unix(i, 0)
	} else {
		f, err := n.Float64()
		if err != nil || math.IsNaN(f) || f <= -maxExp || f >= maxExp {
			return Claims{}, sberr.New(sberr.TokenInvalid, "access token exp %s is out of range; mint it with exp in seconds since 1970", n)
		}
		sec, frac := math.Modf(f)
		exp = time.Unix(int64(sec), int64(math.Round(frac*1e9)))
	}
	return Claims{PartnerID: refID(raw["partner_id"]), ClientID: refID(raw["client_id"]),
		CustomerID: refID(raw["customer_id"]), InvoiceID: refID(raw["invoice_id"]), ExpiresAt: exp}, nil
}

func refID(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	n, ok := refNumber(v)
	if !ok {
		return ""
	}
	if isDecimalInteger(string(n)) {
		return string(n)
	}
	f, err := n.Float64()
	if err != nil {
		return string(n)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func refNumber(v json.RawMessage) (json.Number, bool) {
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

// A payload nested past the depth limit (which encoding/json read) is
// refused for its depth, and the advice covers it, not only a claim named
// twice or broken UTF-8.
func TestDeepPayloadIsRefusedForItsDepth(t *testing.T) {
	deep := `{"exp":1700000000,"x":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}`
	_, err := ParseClaims(jwt(deep))
	require.Equal(t, sberr.TokenInvalid, sberr.CodeOf(err))
	require.ErrorIs(t, err, strictjson.ErrTooDeep)
	require.Contains(t, err.Error(), "nests too deeply")
	require.Contains(t, err.Error(), "nested less deeply")
}
