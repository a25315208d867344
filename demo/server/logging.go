package server

import (
	"context"
	"fmt"
	"io"
	stdlog "log"
	"log/slog"
	"net/http"
	"path/filepath"
	"runtime"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sealbridge/sealbridge/demo/apierr"
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

// recoverPanics answers a handler's panic with 500 internal and logs the
// panic's type and the code path (function, file and line of each frame),
// never its value nor the stack's argument words: a panic value can hold
// a token, a request body or a provider's answer. Without it net/http
// prints both to its error log. http.ErrAbortHandler is passed on: it is
// how a handler aborts a response on purpose.
func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			log.Error("handler panicked", "method", r.Method, "path", r.URL.Path,
				"panic_type", fmt.Sprintf("%T", v), "frames", panicFrames())
			apierr.Write(w, http.StatusInternalServerError, apierr.Internal,
				"the server failed on this request and logged where; retry, and report it if it persists")
		}()
		next.ServeHTTP(w, r)
	})
}

// panicFrames lists the panicking goroutine's frames as "function
// file:line", without the argument words a printed stack carries.
func panicFrames() []string {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(3, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	var out []string
	for {
		f, more := frames.Next()
		out = append(out, fmt.Sprintf("%s %s:%d", f.Function, filepath.Base(f.File), f.Line))
		if !more {
			return out
		}
	}
}

// errorLog routes net/http's own messages (TLS handshake errors, a second
// WriteHeader) through the server's logger, and so through redaction.
func errorLog(log *slog.Logger) *stdlog.Logger {
	return slog.NewLogLogger(log.Handler(), slog.LevelWarn)
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
