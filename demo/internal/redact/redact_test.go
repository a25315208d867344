package redact

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"golang.org/x/oauth2"
)

const canary = "CANARY-7f3a9c"

func TestRedactMasksSensitiveKeys(t *testing.T) {
	for _, k := range []string{
		"token", "access_token", "refresh_token", "Access-Token", "id_token", "password", "new_password",
		"otp", "OTP", "secret", "client_secret", "code_verifier", "verifier", "authorization",
		"Authorization", "cookie", "Set-Cookie", "code", "session_id", "credentials", "api_key",
	} {
		var buf bytes.Buffer
		log := slog.New(NewHandler(slog.NewJSONHandler(&buf, nil)))
		log.Info("m", k, canary)
		assert.NotContains(t, buf.String(), canary, k)
		assert.Contains(t, buf.String(), Redacted, k)
	}
	for _, k := range []string{"user", "grant", "error_code", "status", "path"} {
		assert.False(t, sensitiveKey(k), k)
	}
}

func TestRedactAsReplaceAttr(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{ReplaceAttr: ReplaceAttr}))
	log.Info("m", "refresh_token", canary, slog.Group("req", "otp", canary), "url", &url.URL{Scheme: "http", Host: "127.0.0.1", Path: "/cb", RawQuery: "code=" + canary})
	assert.NotContains(t, buf.String(), canary)
	assert.Contains(t, buf.String(), "http://127.0.0.1/cb")
}

func TestSafeErrorDropsURLQueriesAndTokenBodies(t *testing.T) {
	ue := &url.Error{Op: "Get", URL: "http://user:" + canary + "@127.0.0.1/x?access_token=" + canary, Err: errors.New("connection refused")}
	assert.Equal(t, "Get http://127.0.0.1/x: connection refused", SafeError(fmt.Errorf("wrapped: %w", ue)))

	re := &oauth2.RetrieveError{Response: &http.Response{StatusCode: 500}, Body: []byte(`{"refresh_token":"` + canary + `"}`)}
	assert.Contains(t, re.Error(), canary, "precondition: x/oauth2 prints the body")
	assert.Equal(t, "token endpoint answered 500", SafeError(re))
	re.ErrorCode = "invalid_grant"
	assert.Equal(t, "token endpoint answered 500 invalid_grant", SafeError(re))
	// An endpoint that echoes the request puts the client's Basic
	// credentials in "error" too: only RFC 6749's codes are printed.
	re.ErrorCode = "Basic " + canary
	assert.Equal(t, "token endpoint answered 500 with an unrecognised error code", SafeError(re))

	var buf bytes.Buffer
	slog.New(NewHandler(slog.NewJSONHandler(&buf, nil))).Warn("m", "error", ue, "err", re)
	assert.NotContains(t, buf.String(), canary)
	assert.Empty(t, SafeError(nil))
}
