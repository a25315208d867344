package server

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/sealbridge/sealbridge/demo/internal/redact"
	"github.com/sealbridge/sealbridge/demo/sandbox"
)

// originList collects repeated -origin flags.
type originList []string

func (o *originList) String() string     { return strings.Join(*o, ",") }
func (o *originList) Set(v string) error { *o = append(*o, strings.TrimRight(v, "/")); return nil }

// RunSandbox is `go run ./demo sandbox -addr HOST:PORT -settings FILE
// [-origin URL]...`: the sandbox provider as its own process, so that
// several dev servers (SEALBRIDGE_SANDBOX_SETTINGS=FILE) share one. It
// writes FILE (mode 0600) once it listens, and serves until ctx ends.
func RunSandbox(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8090", "listen address")
	settings := fs.String("settings", "", "where to write the settings JSON for the dev servers (required)")
	var origins originList
	fs.Var(&origins, "origin", "a dev server's origin, e.g. http://127.0.0.1:8080 (repeatable; default that one and http://localhost:8080): its pages may fetch the keys and pay, and its /auth/callback is a registered redirect URI")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *settings == "" {
		return errors.New("sandbox: -settings FILE is required")
	}
	if len(origins) == 0 {
		origins = originList{"http://127.0.0.1:8080", "http://localhost:8080"}
	}
	log = slog.New(redact.NewHandler(log.Handler()))
	var cfg sandbox.Config
	cfg.Logger = log
	cfg.Keys.AllowedOrigins = origins
	cfg.Checkout.AllowedOrigins = origins
	for _, o := range origins {
		cfg.OAuth.RedirectURIs = append(cfg.OAuth.RedirectURIs, o+"/auth/callback")
	}
	sb, err := sandbox.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("sandbox: listen on %s: %w", *addr, err)
	}
	url := "http://" + ln.Addr().String()
	if err := sandbox.WriteSettings(*settings, sb.Settings(url)); err != nil {
		ln.Close()
		return fmt.Errorf("sandbox: write settings: %w", err)
	}
	srv := &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: errorLog(log)}
	fmt.Fprintf(stdout, "Sandbox provider: %s (settings in %s; OTP inbox at %s/inbox)\n", url, *settings, url)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(shutdown)
	}
}
