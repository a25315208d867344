package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/sealbridge/sealbridge/demo/provider"
	"github.com/sealbridge/sealbridge/demo/sandbox"
	"github.com/sealbridge/sealbridge/demo/session"
)

// Server is a running dev server (and, without ProviderURL, its sandbox).
type Server struct {
	cfg     Config
	Sandbox *sandbox.Sandbox // the embedded sandbox; nil with a real provider or a shared one
	// SharedSandbox describes the sandbox process this server uses
	// (Config.SandboxSettings); nil otherwise.
	SharedSandbox *sandbox.Settings
	ProviderURL   string
	URL           string // the dev server's own origin, once started
	FrameURL      string // the frame origin (isolated mode), once started
	sessions      *session.Sessions
	store         *session.Sealed
	provider      *providerClient
	http          *http.Server
	sandboxHTTP   *http.Server
	frameHTTP     *http.Server
}

// Start listens on cfg.Addr (and on a fresh loopback port for the sandbox
// when no provider is configured) and serves until Close.
func Start(cfg Config) (*Server, error) {
	cfg.defaults()
	store, err := session.Open(cfg.SessionStore, cfg.SessionOptions)
	if err != nil {
		return nil, err
	}
	if cfg.SessionStore != "" && cfg.SessionStore != "memory" {
		routeRedisLog(cfg.Logger.With("component", "redis"))
	}
	s := &Server{cfg: cfg, store: store, sessions: &session.Sessions{Store: store, Secure: cfg.Secure}}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	tlsConfig, err := s.cfg.tlsConfig()
	if err != nil {
		ln.Close()
		return nil, err
	}
	s.URL = "http://" + ln.Addr().String()
	if tlsConfig != nil {
		s.URL = "https://" + ln.Addr().String()
	}
	frameLn, err := s.listenFrame(tlsConfig)
	if err != nil {
		ln.Close()
		store.Close()
		return nil, err
	}
	if err := s.startProvider(); err != nil {
		ln.Close()
		frameLn.Close()
		store.Close()
		return nil, err
	}
	handler, dist, err := s.routes()
	if err == nil {
		err = s.serveFrame(frameLn, dist, tlsConfig)
	}
	if err != nil {
		s.Close()
		ln.Close()
		frameLn.Close()
		return nil, err
	}
	s.http = newHTTPServer(handler, s.cfg.Logger)
	if tlsConfig == nil {
		go func() { _ = s.http.Serve(ln) }()
		return s, nil
	}
	s.http.TLSConfig = tlsConfig
	// The certificate is in TLSConfig already; ServeTLS adds HTTP/2.
	go func() { _ = s.http.ServeTLS(ln, "", "") }()
	return s, nil
}

// startProvider starts the embedded sandbox unless a provider, or a
// shared sandbox, is named.
func (s *Server) startProvider() error {
	s.ProviderURL = s.cfg.ProviderURL
	if s.cfg.SandboxSettings != "" {
		st, err := sandbox.ReadSettings(s.cfg.SandboxSettings)
		if err != nil {
			return err
		}
		s.SharedSandbox = &st
		s.ProviderURL = strings.TrimRight(st.URL, "/")
		s.cfg.ClientID, s.cfg.ClientSecret = st.ClientID, st.ClientSecret
	}
	if s.ProviderURL == "" {
		sb, err := sandbox.New(s.sandboxConfig())
		if err != nil {
			return err
		}
		addr := s.cfg.SandboxAddr
		if addr == "" {
			addr = "127.0.0.1:0"
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("sandbox listen on %s: %w", addr, err)
		}
		s.Sandbox = sb
		s.ProviderURL = "http://" + ln.Addr().String()
		s.sandboxHTTP = newHTTPServer(sb.Handler(), s.cfg.Logger.With("component", "sandbox"))
		go func() { _ = s.sandboxHTTP.Serve(ln) }()
	}
	s.provider = newProviderClient(s.cfg, s.ProviderURL, s.Sandbox)
	return nil
}

// onSandbox reports whether the provider is a sandbox (embedded or
// shared), whose endpoints, issuer and test headers the server knows.
func (s *Server) onSandbox() bool { return s.Sandbox != nil || s.SharedSandbox != nil }

// sandboxConfig lets the sandbox's CORS trust the dev server's origin.
func (s *Server) sandboxConfig() sandbox.Config {
	c := s.cfg.Sandbox
	if c.Logger == nil {
		c.Logger = s.cfg.Logger.With("component", "sandbox")
	}
	// The frame origin fetches the key too: it seals in isolated mode.
	c.Keys.AllowedOrigins = append(c.Keys.AllowedOrigins, s.URL, s.FrameURL)
	c.Checkout.AllowedOrigins = append(c.Checkout.AllowedOrigins, s.URL)
	return c
}

// newHTTPServer bounds every phase of a request, so a slow or silent
// client (slowloris) cannot hold a connection forever. net/http's own
// lines (TLS handshake errors, panics) go to log, not to stderr.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ErrorLog:          errorLog(log),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
	}
}

// DefaultDrainTimeout is how long Close lets in-flight requests finish:
// the longest a call to the provider may take (provider.DefaultTimeout,
// which also bounds the intermediary's 25 s upstream deadline), plus time
// to write the answer. Shorter, and a deploy would cut off calls that were
// going to succeed.
const DefaultDrainTimeout = provider.DefaultTimeout + 5*time.Second

// Close drains and stops both servers: it stops accepting connections,
// lets requests in flight finish for up to Config.DrainTimeout, and then
// closes what is left. SIGTERM and SIGINT call it in `go run ./demo`.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.DrainTimeout)
	defer cancel()
	return s.Shutdown(ctx)
}

// Shutdown drains until ctx ends. The dev server goes first and the
// embedded sandbox after it, since requests in flight may be waiting on
// the sandbox. Connections still open when ctx ends are closed.
func (s *Server) Shutdown(ctx context.Context) error {
	var errs []error
	for _, h := range []*http.Server{s.http, s.frameHTTP, s.sandboxHTTP} {
		if h == nil {
			continue
		}
		if err := h.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("drain: %w", err), h.Close())
		}
	}
	if s.store != nil {
		errs = append(errs, s.store.Close())
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
