package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// RFC 6238 Appendix B, SHA-1 rows, last six digits.
func TestTOTPVectors(t *testing.T) {
	secret := []byte("12345678901234567890")
	for unix, want := range map[int64]string{
		59: "287082", 1111111109: "081804", 1111111111: "050471",
		1234567890: "005924", 2000000000: "279037", 20000000000: "353130",
	} {
		assert.Equal(t, want, hotp(secret, totpStepAt(time.Unix(unix, 0))), "T=%d", unix)
	}
}

func (o *oauthTest) validate(t *testing.T, token, otp, method string) (*http.Response, []byte) {
	t.Helper()
	b, err := json.Marshal(twoFactorRequest{Token: otp, DeliveryMethod: method})
	require.NoError(t, err)
	return o.withBearer(t, http.MethodPost, "/twofactor/validate", token, bytes.NewReader(b))
}

func TestTwoFactorRestrictsUntilOTPThenLapses(t *testing.T) {
	o := newOAuthTest(t, func(c *Config) { c.OAuth.TwoFactorWindow = 90 * time.Second })
	tok := o.passwordTokens(t, "bob")
	at := str(tok, "access_token")

	res, b := o.withBearer(t, http.MethodGet, "/v1/self", at, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	var self selfResponse
	require.NoError(t, json.Unmarshal(b, &self))
	assert.True(t, self.IsMFARequired)
	assert.Equal(t, []string{"TOTP", "email"}, self.MFADeliveryMethods)

	for path, typ := range map[string]string{"/v1/accounts": "ACCOUNT", "/auth/context": "USER"} {
		res, b = o.withBearer(t, http.MethodGet, path, at, nil)
		assert.Equal(t, http.StatusForbidden, res.StatusCode)
		assert.Equal(t, apiError{Code: "RESTRICTED", Message: "Access to type " + typ + " is restricted"}, apiErrorOf(t, b))
	}

	res, b = o.validate(t, at, o.s.CurrentOTP("bob"), "TOTP")
	require.Equal(t, http.StatusOK, res.StatusCode, string(b))
	res, _ = o.withBearer(t, http.MethodGet, "/v1/accounts", at, nil)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	g, _ := o.s.tokens.lookup(at)
	assert.False(t, g.Restricted, "other features reading grant.Restricted see the lift")

	// A refresh inside the window keeps the lift for the login.
	status, next := o.tokenCall(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {str(tok, "refresh_token")}})
	require.Equal(t, http.StatusOK, status)
	res, _ = o.withBearer(t, http.MethodGet, "/v1/accounts", str(next, "access_token"), nil)
	assert.Equal(t, http.StatusOK, res.StatusCode)

	o.clock.Advance(90 * time.Second)
	res, b = o.withBearer(t, http.MethodGet, "/v1/accounts", at, nil)
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	assert.Equal(t, "RESTRICTED", apiErrorOf(t, b).Code)
	g, _ = o.s.tokens.lookup(str(next, "access_token"))
	assert.True(t, g.Restricted, "the flag is back for the whole login")
}

func TestTwoFactorOTPIsSingleUse(t *testing.T) {
	o := newOAuthTest(t, nil)
	at := str(o.passwordTokens(t, "bob"), "access_token")
	otp := o.s.CurrentOTP("bob")
	res, _ := o.validate(t, at, otp, "email")
	require.Equal(t, http.StatusOK, res.StatusCode)

	// Same code again, even from another login of the same user.
	other := str(o.passwordTokens(t, "bob"), "access_token")
	res, b := o.validate(t, other, otp, "TOTP")
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Equal(t, "OTP_INVALID", apiErrorOf(t, b).Code)

	// The previous step's code is also spent once a newer one was used.
	o.clock.Advance(totpStep)
	res, _ = o.validate(t, other, otp, "TOTP")
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	res, _ = o.validate(t, other, o.s.CurrentOTP("bob"), "TOTP")
	assert.Equal(t, http.StatusOK, res.StatusCode)
}

func TestTwoFactorAcceptsPreviousStep(t *testing.T) {
	o := newOAuthTest(t, nil)
	at := str(o.passwordTokens(t, "bob"), "access_token")
	otp := o.s.CurrentOTP("bob")
	o.clock.Advance(totpStep)
	res, _ := o.validate(t, at, otp, "TOTP")
	assert.Equal(t, http.StatusOK, res.StatusCode, "one step of delay is tolerated")

	at = str(o.passwordTokens(t, "bob"), "access_token")
	otp = o.s.CurrentOTP("bob")
	o.clock.Advance(2 * totpStep)
	res, _ = o.validate(t, at, otp, "TOTP")
	assert.Equal(t, http.StatusBadRequest, res.StatusCode, "two steps is too old")
}

func TestTwoFactorRateLimit(t *testing.T) {
	o := newOAuthTest(t, nil)
	at := str(o.passwordTokens(t, "bob"), "access_token")
	wrong := func() string {
		c := o.s.CurrentOTP("bob")
		n, _ := strconv.Atoi(c)
		return fmt.Sprintf("%06d", (n+1)%1000000)
	}
	for i := 0; i < 5; i++ {
		res, b := o.validate(t, at, wrong(), "TOTP")
		require.Equal(t, http.StatusBadRequest, res.StatusCode, "attempt %d: %s", i+1, b)
		o.clock.Advance(time.Second)
	}
	res, b := o.validate(t, at, wrong(), "TOTP")
	require.Equal(t, http.StatusTooManyRequests, res.StatusCode, string(b))
	assert.Equal(t, "TOO_MANY_ATTEMPTS", apiErrorOf(t, b).Code)
	assert.Equal(t, "295", res.Header.Get("Retry-After"), "until the first failure leaves the 5-minute window")

	// Locked: even the right code is refused, and the lock is per user.
	res, _ = o.validate(t, at, o.s.CurrentOTP("bob"), "TOTP")
	assert.Equal(t, http.StatusTooManyRequests, res.StatusCode)

	o.clock.Advance(295 * time.Second)
	res, _ = o.validate(t, at, o.s.CurrentOTP("bob"), "TOTP")
	assert.Equal(t, http.StatusOK, res.StatusCode)
}

func TestTwoFactorBadRequests(t *testing.T) {
	o := newOAuthTest(t, nil)
	bob := str(o.passwordTokens(t, "bob"), "access_token")
	alice := str(o.passwordTokens(t, "alice"), "access_token")

	res, b := o.validate(t, alice, "123456", "TOTP")
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Equal(t, "TWO_FACTOR_NOT_REQUIRED", apiErrorOf(t, b).Code)

	res, b = o.validate(t, bob, o.s.CurrentOTP("bob"), "carrier-pigeon")
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Equal(t, "INVALID_DELIVERY_METHOD", apiErrorOf(t, b).Code)

	res, _ = o.withBearer(t, http.MethodPost, "/twofactor/validate", bob, strings.NewReader(`{"token":"1","extra":1}`))
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)

	res, _ = o.validate(t, "sbx_at_nope", o.s.CurrentOTP("bob"), "TOTP")
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)

	assert.Empty(t, o.s.CurrentOTP("alice"))
	assert.Empty(t, o.s.CurrentOTP("nobody"))
}

func TestTwoFactorNeverLogsOTP(t *testing.T) {
	var buf bytes.Buffer
	o := newOAuthTest(t, func(c *Config) { c.Logger = slog.New(slog.NewJSONHandler(&buf, nil)) })
	at := str(o.passwordTokens(t, "bob"), "access_token")
	otp := o.s.CurrentOTP("bob")
	o.validate(t, at, "000000", "TOTP")
	o.validate(t, at, otp, "TOTP")
	o.validate(t, at, otp, "TOTP")
	assert.NotContains(t, buf.String(), otp)
	assert.NotContains(t, buf.String(), at)
	assert.NotContains(t, buf.String(), o.password(t, "bob"))
	assert.Contains(t, buf.String(), "two-factor validated")
}

func TestInboxShowsCodesAndSaysSandbox(t *testing.T) {
	o := newOAuthTest(t, nil)
	res, body := o.get(t, "/inbox")
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, body, `id="otp-bob">`+o.s.CurrentOTP("bob")+`<`)
	assert.Contains(t, body, `id="password-alice">`+o.password(t, "alice")+`<`)
	assert.NotContains(t, body, `id="otp-alice"`)
	assert.Contains(t, body, "not a real bank")
	assert.NotContains(t, body, `id="otp-used-bob"`, "a fresh code is not marked used")
}

// Once this step's code is accepted, the inbox says so and when the next
// one comes, instead of offering a code that can only fail.
func TestInboxMarksAUsedCode(t *testing.T) {
	o := newOAuthTest(t, nil)
	at := str(o.passwordTokens(t, "bob"), "access_token")
	res, _ := o.validate(t, at, o.s.CurrentOTP("bob"), "TOTP")
	require.Less(t, res.StatusCode, 300)
	_, body := o.get(t, "/inbox")
	assert.Contains(t, body, `id="otp-used-bob">already used: the next code comes in`)
}

func TestAccountsRefusesClientTokens(t *testing.T) {
	o := newOAuthTest(t, nil)
	at := clientToken(t, o.srv, o.s)
	res, _ := o.withBearer(t, http.MethodGet, "/v1/accounts", at, nil)
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	res, b := o.withBearer(t, http.MethodGet, "/auth/context", at, nil)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, string(b), `"name":"sbx_client_demo"`)
	res, _ = o.withBearer(t, http.MethodGet, "/v1/accounts", "", nil)
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
}
