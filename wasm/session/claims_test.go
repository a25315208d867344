package session

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/sealbridge/sealbridge/wasm/sberr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseClaims(t *testing.T) {
	b64 := base64.RawURLEncoding.EncodeToString
	tests := []struct {
		name    string
		token   string
		want    Claims
		wantErr string // substring of the message; "" = success
	}{
		{name: "good", token: jwt(`{"partner_id":"p1","client_id":"c1","customer_id":"cu1","invoice_id":"in1","exp":1700000000}`),
			want: Claims{PartnerID: "p1", ClientID: "c1", CustomerID: "cu1", InvoiceID: "in1", ExpiresAt: time.Unix(1700000000, 0)}},
		{name: "numbers as ids", token: jwt(`{"partner_id":42,"client_id":12345678901234567890123,"customer_id":1e3,"invoice_id":-7,"exp":1700000000}`),
			want: Claims{PartnerID: "42", ClientID: "12345678901234567890123", CustomerID: "1000", InvoiceID: "-7", ExpiresAt: time.Unix(1700000000, 0)}},
		{name: "fractional id", token: jwt(`{"partner_id":1.5,"exp":1}`),
			want: Claims{PartnerID: "1.5", ExpiresAt: time.Unix(1, 0)}},
		{name: "ids absent, null or of another type", token: jwt(`{"partner_id":null,"client_id":true,"customer_id":{"a":1},"exp":1700000000}`),
			want: Claims{ExpiresAt: time.Unix(1700000000, 0)}},
		{name: "fractional exp", token: jwt(`{"exp":1700000000.5}`),
			want: Claims{ExpiresAt: time.Unix(1700000000, 500_000_000)}},
		{name: "exp in exponent form", token: jwt(`{"exp":1.7e9}`),
			want: Claims{ExpiresAt: time.Unix(1700000000, 0)}},
		{name: "padded payload tolerated", token: "h." + base64.URLEncoding.EncodeToString([]byte(`{"exp":12}`)) + ".s",
			want: Claims{ExpiresAt: time.Unix(12, 0)}},
		{name: "unsecured JWT with empty signature", token: "h." + b64([]byte(`{"exp":12}`)) + ".",
			want: Claims{ExpiresAt: time.Unix(12, 0)}},

		{name: "empty", token: "", wantErr: "has 1 dot-separated parts"},
		{name: "two parts", token: "a." + b64([]byte(`{"exp":1}`)), wantErr: "has 2 dot-separated parts"},
		{name: "four parts", token: jwt(`{"exp":1}`) + ".x", wantErr: "has 4 dot-separated parts"},
		{name: "bad base64", token: "a.!!!.c", wantErr: "not base64url"},
		{name: "standard base64 alphabet", token: "a." + base64.RawStdEncoding.EncodeToString([]byte(`{"exp":1,"x":"??>"}`)) + ".c", wantErr: "not base64url"},
		{name: "not JSON", token: jwt(`{exp:1}`), wantErr: "not a JSON object"},
		{name: "JSON array", token: jwt(`[{"exp":1}]`), wantErr: "not a JSON object"},
		{name: "JSON string", token: jwt(`"exp"`), wantErr: "not a JSON object"},
		{name: "JSON null", token: jwt(`null`), wantErr: "not a JSON object"},
		{name: "trailing data", token: jwt(`{"exp":1}x`), wantErr: "not a JSON object"},
		{name: "a claim twice", token: jwt(`{"exp":1,"exp":2}`), wantErr: `access token payload: member "exp" appears twice in the object at the top level; mint the token with each claim named once`},
		{name: "twins under case folding", token: jwt(`{"exp":1,"EXP":2}`), wantErr: `members "exp" and "EXP" in the object at the top level are equal after Unicode case folding`},
		{name: "broken UTF-8", token: jwt("{\"exp\":1,\"invoice_id\":\"\xff\"}"), wantErr: `access token payload: the value at "/invoice_id": is not valid UTF-8`},
		{name: "no exp", token: jwt(`{"partner_id":"p"}`), wantErr: "no numeric exp"},
		{name: "exp as string", token: jwt(`{"exp":"1700000000"}`), wantErr: "no numeric exp"},
		{name: "exp null", token: jwt(`{"exp":null}`), wantErr: "no numeric exp"},
		{name: "exp bool", token: jwt(`{"exp":true}`), wantErr: "no numeric exp"},
		{name: "exp out of range", token: jwt(`{"exp":1e300}`), wantErr: "out of range"},
		{name: "too long", token: jwt(`{"exp":1,"pad":"` + strings.Repeat("x", maxTokenLen) + `"}`), wantErr: "over the"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseClaims(tt.token)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Equal(t, sberr.TokenInvalid, sberr.CodeOf(err))
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Equal(t, Claims{}, got)
				return
			}
			require.NoError(t, err)
			assertSameClaims(t, tt.want, got)
		})
	}
}

func assertSameClaims(t *testing.T, want, got Claims) {
	t.Helper()
	assert.Equal(t, []string{want.PartnerID, want.ClientID, want.CustomerID, want.InvoiceID},
		[]string{got.PartnerID, got.ClientID, got.CustomerID, got.InvoiceID})
	assert.True(t, want.ExpiresAt.Equal(got.ExpiresAt), "exp: want %v, got %v", want.ExpiresAt, got.ExpiresAt)
}

// FuzzParseClaims: any input gives claims or a token_invalid error, never a panic.
func FuzzParseClaims(f *testing.F) {
	f.Add(jwt(`{"partner_id":"p1","client_id":2,"exp":1700000000}`))
	f.Add(jwt(`{"exp":1.5e9,"invoice_id":-0.25}`))
	f.Add(jwt(`null`))
	f.Add("a.b.c")
	f.Add("..")
	f.Add("")
	f.Fuzz(func(t *testing.T, token string) {
		c, err := ParseClaims(token)
		if err != nil {
			require.Equal(t, sberr.TokenInvalid, sberr.CodeOf(err))
			require.Equal(t, Claims{}, c)
			return
		}
		require.False(t, c.ExpiresAt.IsZero())
	})
}
