package server

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A path with CR/LF cannot forge a log line. The request
// gives exactly one line, which is valid JSON and holds the path as sent.
func TestLogInjection(t *testing.T) {
	e := newEnv(t)
	// Decoded: /x\n{"level":"ERROR","msg":"forged"}\r\nnext
	res, _ := e.get("/x%0A%7B%22level%22%3A%22ERROR%22%2C%22msg%22%3A%22forged%22%7D%0D%0Anext")
	assert.Less(t, res.StatusCode, 500)

	var raw []string
	for _, l := range strings.Split(e.logs.String(), "\n") {
		if strings.Contains(l, "forged") {
			raw = append(raw, l)
		}
	}
	require.Len(t, raw, 1, "exactly one log line mentions the request: %q", raw)

	var hits []map[string]any
	for _, l := range logLines(t, e.logs) { // every line is one JSON object
		assert.NotEqual(t, "forged", l["msg"], "a forged entry")
		if p, _ := l["path"].(string); strings.Contains(p, "forged") {
			hits = append(hits, l)
		}
	}
	require.Len(t, hits, 1)
	assert.Equal(t, "request", hits[0]["msg"])
	assert.Equal(t, "/x\n{\"level\":\"ERROR\",\"msg\":\"forged\"}\r\nnext", hits[0]["path"])
	assert.Equal(t, "GET", hits[0]["method"])
	assert.EqualValues(t, res.StatusCode, hits[0]["status"])
}

// The query string carries OAuth codes and state: it is never logged.
func TestLogOmitsQuery(t *testing.T) {
	e := newEnv(t)
	e.get("/?code=oauth-code-canary&state=state-canary")
	assert.NotContains(t, e.logs.String(), "canary")
	var found bool
	for _, l := range logLines(t, e.logs) {
		if l["msg"] == "request" && l["path"] == "/" {
			found = true
			assert.EqualValues(t, http.StatusOK, l["status"])
		}
	}
	assert.True(t, found, "the request itself is logged")
}

// Credentials and cookies sent by the page are not logged either.
func TestLogOmitsRequestSecrets(t *testing.T) {
	e := newEnv(t)
	cookie := e.session()
	e.post(connections, []byte(`{"password":"body-canary"}`), func(r *http.Request) {
		e.sameOrigin(r, cookie)
		r.Header.Set("Authorization", "Bearer header-canary")
	})
	logs := e.logs.String()
	assert.NotContains(t, logs, "canary")
	assert.NotContains(t, logs, cookie.Value)
}

// go-redis logs on its own ("connection pool: failed to dial"), by
// default to stderr past every handler. With a Redis session store, those
// lines reach the server's logger, through the redacting handler.
func TestRedisLogsReachTheServerLogger(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now
	e := newEnv(t, func(c *Config) { c.SessionStore = "redis://:canary-redis-password@" + dead + "/0" })
	res, _ := e.get("/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	require.Eventually(t, func() bool { return strings.Contains(e.logs.String(), "failed to dial") },
		10*time.Second, 50*time.Millisecond, "go-redis's line reached the server's logger: %s", e.logs.String())
	assert.NotContains(t, e.logs.String(), "canary-redis-password")
	for _, l := range logLines(t, e.logs) {
		if l["msg"] == "go-redis" {
			assert.Equal(t, "redis", l["component"])
		}
	}
}
