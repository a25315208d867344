package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/sealbridge/sealbridge/demo/sandbox"
	"github.com/sealbridge/sealbridge/demo/session"
)

// Server is a running dev server (and, without ProviderURL, its sandbox).
type Server struct {
	cfg         Config
	Sandbox     *sandbox.Sandbox // nil with a real provider
	ProviderURL string
	URL         string // the dev server's own origin, once started
	sessions    *session.Sessions
	provider    *providerClient
	http        *http.Server
	sandboxHTTP *http.Server
}

// Start listens on cfg.Addr (and on a fresh loopback port for the sandbox
// when no provider is configured) and serves until Close.
func Start(cfg Config) (*Server, error) {
	cfg.defaults()
	s := &Server{cfg: cfg, sessions: &session.Sessions{Store: session.NewMemoryStore(0), Secure: cfg.Secure}}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	s.URL = "http://" + ln.Addr().String()
	if err := s.startProvider(); err != nil {
		ln.Close()
		return nil, err
	}
	handler, err := s.routes()
	if err != nil {
		s.Close()
		ln.Close()
		return nil, err
	}
	s.http = newHTTPServer(handler)
	go func() { _ = s.http.Serve(ln) }()
	return s, nil
}

// startProvider starts the embedded sandbox unless a provider is named.
func (s *Server) startProvider() error {
	s.ProviderURL = s.cfg.ProviderURL
	if s.ProviderURL == "" {
		sb, err := sandbox.New(s.sandboxConfig())
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("sandbox listen: %w", err)
		}
		s.Sandbox = sb
		s.ProviderURL = "http://" + ln.Addr().String()
		s.sandboxHTTP = newHTTPServer(sb.Handler())
		go func() { _ = s.sandboxHTTP.Serve(ln) }()
	}
	s.provider = newProviderClient(s.cfg, s.ProviderURL, s.Sandbox)
	return nil
}

// sandboxConfig lets the sandbox's CORS trust the dev server's origin.
func (s *Server) sandboxConfig() sandbox.Config {
	c := s.cfg.Sandbox
	if c.Logger == nil {
		c.Logger = s.cfg.Logger.With("component", "sandbox")
	}
	c.Keys.AllowedOrigins = append(c.Keys.AllowedOrigins, s.URL)
	c.Checkout.AllowedOrigins = append(c.Checkout.AllowedOrigins, s.URL)
	return c
}

// newHTTPServer bounds every phase of a request, so a slow or silent
// client (slowloris) cannot hold a connection forever.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
	}
}

// Close stops both servers.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	if s.http != nil {
		errs = append(errs, s.http.Shutdown(ctx))
	}
	if s.sandboxHTTP != nil {
		errs = append(errs, s.sandboxHTTP.Shutdown(ctx))
	}
	return errors.Join(errs...)
}

// CloseSandbox stops the embedded sandbox while the dev server keeps
// running: tests use it to see how the page copes with a provider that is
// down.
func (s *Server) CloseSandbox() error {
	if s.sandboxHTTP == nil {
		return errors.New("no embedded sandbox")
	}
	return s.sandboxHTTP.Close()
}
