// Command demo is the Sealbridge dev server: `go run ./demo` (or
// `make demo`, which builds the shim first). With no configuration it
// starts the embedded sandbox provider, so everything runs offline.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/sealbridge/sealbridge/demo/server"
)

func main() {
	cfg, err := server.FromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "configuration:", err)
		os.Exit(2)
	}
	addr := cfg.Addr
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	flag.StringVar(&cfg.Addr, "addr", addr, "listen address (env "+server.EnvAddr+")")
	dist := cfg.DistDir
	if dist == "" {
		dist = "dist"
	}
	flag.StringVar(&cfg.DistDir, "dist", dist, "directory holding sealbridge.wasm, built by `make wasm`")
	flag.Parse()
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	srv, err := server.Start(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sealbridge demo:", err)
		os.Exit(1)
	}
	fmt.Printf("Sealbridge demo:  %s\n", srv.URL)
	if srv.Sandbox != nil {
		fmt.Printf("Sandbox provider: %s (embedded; OTP inbox at %s/inbox)\n", srv.ProviderURL, srv.ProviderURL)
		for _, u := range srv.Sandbox.DemoUsers() {
			mfa := "no 2FA"
			if u.TwoFactor {
				mfa = "2FA: codes on the inbox page"
			}
			// Sandbox-only users, generated at this start; not secrets of anyone's.
			fmt.Printf("  sandbox user %-6s password %s (%s)\n", u.Username, u.Password, mfa)
		}
	} else {
		fmt.Printf("Provider:         %s\n", srv.ProviderURL)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	_ = srv.Close()
}
