package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sealbridge/sealbridge/demo/internal/redact"
)

// NewLogger is the command's logger: text lines at Info and above on w,
// through the redacting handler. `go run ./demo` also makes it slog's
// default, so that a library logging through package log or slog is
// redacted too.
func NewLogger(w io.Writer) *slog.Logger {
	return slog.New(redact.NewHandler(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo})))
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// logRequests logs one line per request: method, path (never the query,
// which carries OAuth codes and state), status and duration. slog's
// handlers quote values, so a CR/LF in a path cannot forge a log line.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status, "ms", time.Since(start).Milliseconds())
	})
}

// redisLog carries go-redis's own lines ("connection pool: failed to
// dial") to the server's redacted logger; by default go-redis prints them
// to stderr, past every handler.
type redisLog struct{ log *slog.Logger }

func (r redisLog) Printf(ctx context.Context, format string, v ...any) {
	r.log.WarnContext(ctx, "go-redis", "detail", fmt.Sprintf(format, v...))
}

// routeRedisLog points go-redis's logger, one per process, at log: the
// last server started with a Redis store gets the lines.
func routeRedisLog(log *slog.Logger) { redis.SetLogger(redisLog{log}) }
