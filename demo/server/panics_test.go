package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const panicCanary = "sbx_at_panic-canary-0123456789"

// A handler's panic, whatever its value carries, becomes a 500 internal
// with our message; the log says where it happened and never the value.
func TestPanicsAnswer500AndLogNoValue(t *testing.T) {
	for name, v := range map[string]any{
		"string": "token " + panicCanary,
		"error":  errors.New("provider said: " + panicCanary),
		"struct": struct{ Token string }{panicCanary},
		"bytes":  []byte(panicCanary),
	} {
		t.Run(name, func(t *testing.T) {
			var logs bytes.Buffer
			log := slog.New(slog.NewJSONHandler(&logs, nil))
			h := logRequests(log, recoverPanics(log, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(v) })))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("POST", "/api/connections", strings.NewReader(`{"password":"`+panicCanary+`"}`)))

			require.Equal(t, http.StatusInternalServerError, w.Code)
			var body struct{ Code, Message string }
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
			assert.Equal(t, "internal", body.Code)
			assert.NotContains(t, w.Body.String(), panicCanary)
			assert.NotContains(t, logs.String(), panicCanary)
			assert.Contains(t, logs.String(), `"msg":"handler panicked"`)
			assert.Contains(t, logs.String(), "panics_test.go", "the log says where")
			assert.Contains(t, logs.String(), `"status":500`, "the request line records the 500")
		})
	}
}

// http.ErrAbortHandler is a handler's way to abort a response on purpose:
// it goes on to net/http, which drops the connection quietly.
func TestAbortHandlerIsNotAnError(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	srv := httptest.NewServer(recoverPanics(log, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })))
	defer srv.Close()
	_, err := srv.Client().Get(srv.URL)
	require.Error(t, err, "the connection is dropped, no answer written")
	assert.NotContains(t, logs.String(), "handler panicked")
}

// net/http's own complaints go to the server's logger, not to stderr.
func TestNetHTTPErrorsReachTheServerLogger(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	hs := newHTTPServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		w.WriteHeader(http.StatusOK) // net/http logs "superfluous response.WriteHeader call"
	}), log)
	srv := httptest.NewUnstartedServer(hs.Handler)
	srv.Config = hs
	srv.Start()
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL)
	require.NoError(t, err)
	res.Body.Close()
	assert.Contains(t, logs.String(), "superfluous response.WriteHeader")
	assert.Contains(t, logs.String(), `"level":"WARN"`)
}
