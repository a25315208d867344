// Command demo is the Sealbridge dev server: `go run ./demo` (or
// `make demo`, which builds the shim first). With no configuration it
// starts the embedded sandbox provider, so everything runs offline.
// `go run ./demo sandbox -addr HOST:PORT -settings FILE` runs the sandbox
// alone, for several dev servers to share (SEALBRIDGE_SANDBOX_SETTINGS).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/sealbridge/sealbridge/demo/server"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "sandbox" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		log := server.NewLogger(os.Stderr)
		slog.SetDefault(log)
		if err := server.RunSandbox(ctx, os.Args[2:], os.Stdout, log); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
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
	flag.BoolVar(&cfg.Secure, "secure", cfg.Secure, "the page is reached over HTTPS through a TLS proxy: Secure __Host- cookies and HSTS (env "+server.EnvSecure+")")
	flag.Parse()
	cfg.Logger = server.NewLogger(os.Stderr)
	// Package log and slog's default print through it too, redacted.
	slog.SetDefault(cfg.Logger)

	// Listen for signals before serving, so that one arriving as the first
	// requests come in drains them too, instead of killing the process.
	stopping, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	srv, err := server.Start(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sealbridge demo:", err)
		os.Exit(1)
	}
	printBanner(srv, cfg)
	<-stopping.Done()
	stop() // from here on, the next signal has its default effect: exit now
	os.Exit(drain(srv))
}

// printBanner says where everything is, and the sandbox's demo users.
func printBanner(srv *server.Server, cfg server.Config) {
	fmt.Printf("Sealbridge demo:  %s\n", srv.URL)
	fmt.Printf("Secure fields:    %s (the frame origin, isolated mode)\n", srv.FrameURL)
	if srv.SharedSandbox != nil {
		fmt.Printf("Sandbox provider: %s (shared; users in %s)\n", srv.ProviderURL, cfg.SandboxSettings)
		return
	}
	if srv.Sandbox == nil {
		fmt.Printf("Provider:         %s\n", srv.ProviderURL)
		return
	}
	fmt.Printf("Sandbox provider: %s (embedded; OTP inbox at %s/inbox)\n", srv.ProviderURL, srv.ProviderURL)
	for _, u := range srv.Sandbox.DemoUsers() {
		mfa := "no 2FA"
		if u.TwoFactor {
			mfa = "2FA: codes on the inbox page"
		}
		// Sandbox-only users, generated at this start; not secrets of anyone's.
		fmt.Printf("  sandbox user %-6s password %s (%s)\n", u.Username, u.Password, mfa)
	}
}

// drain runs after SIGTERM or SIGINT: it lets requests in flight finish
// (a call waiting on the provider included) and returns the exit code: 0
// when all of them did, 1 when the drain deadline cut some off. A second
// signal during the drain stops the process at once.
func drain(srv *server.Server) int {
	fmt.Fprintf(os.Stderr, "sealbridge demo: stopping; finishing requests in flight (at most %s, interrupt again to stop now)\n", server.DefaultDrainTimeout)
	if err := srv.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "sealbridge demo: stopped before every request finished:", err)
		return 1
	}
	fmt.Fprintln(os.Stderr, "sealbridge demo: stopped")
	return 0
}
