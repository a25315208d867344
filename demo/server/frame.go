package server

import (
	"crypto/tls"
	"fmt"
	"net"
	"slices"
	"strconv"

	"github.com/sealbridge/sealbridge/demo/frame"
	"github.com/sealbridge/sealbridge/demo/sandbox"
)

// FramePage is the frame page's path on the frame origin.
const FramePage = "/frame.html"

// frameAddr is where the frame origin listens: FrameAddr, or the dev
// server's host with the next port (127.0.0.1:8080 gives 127.0.0.1:8081);
// a dev server on port 0 gets a frame origin on port 0 too.
func (c Config) frameAddr() (string, error) {
	if c.FrameAddr != "" {
		return c.FrameAddr, nil
	}
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return "", fmt.Errorf("%s: %w", c.Addr, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p == 0 {
		return net.JoinHostPort(host, "0"), nil
	}
	return net.JoinHostPort(host, strconv.Itoa(p+1)), nil
}

// listenFrame opens the frame origin's listener, so that its URL is known
// before the sandbox (whose key endpoint must allow it) starts. With TLS,
// the frame origin serves HTTPS with the same certificate: an https page
// may not embed an http frame.
func (s *Server) listenFrame(tlsConfig *tls.Config) (net.Listener, error) {
	addr, err := s.cfg.frameAddr()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (the frame origin, %s): %w", addr, frame.EnvAddr, err)
	}
	s.FrameURL = "http://" + ln.Addr().String()
	if tlsConfig != nil {
		s.FrameURL = "https://" + ln.Addr().String()
	}
	return ln, nil
}

// frameConfig is the frame origin's trust configuration: by default the
// dev server's page may embed it, and it seals to the provider's key
// (named "sandbox" for the embedded sandbox, "provider" otherwise).
func (s *Server) frameConfig() frame.Config {
	c := frame.Config{Ancestors: s.cfg.FrameAncestors, Providers: s.cfg.FrameProviders}
	if len(c.Ancestors) == 0 {
		c.Ancestors = []string{s.URL}
	}
	if len(c.Providers) == 0 {
		c.Providers = map[string]frame.Provider{s.defaultFrameProvider(): {}}
	}
	// A provider given without a key URL (in Config, for tests and
	// embedders) seals to the dev server's provider key.
	ps := make(map[string]frame.Provider, len(c.Providers))
	for name, p := range c.Providers {
		if p.KeyURL == "" {
			p.KeyURL = s.ProviderURL + sandbox.KeyPath
		}
		ps[name] = p
	}
	c.Providers = ps
	return c
}

func (s *Server) defaultFrameProvider() string {
	if s.onSandbox() {
		return "sandbox"
	}
	return "provider"
}

// frameProviderName is the provider the demo page asks the frame for:
// the default one, or the first configured by name.
func (s *Server) frameProviderName() string {
	names := make([]string, 0, len(s.cfg.FrameProviders))
	for n := range s.cfg.FrameProviders {
		names = append(names, n)
	}
	if len(names) == 0 {
		return s.defaultFrameProvider()
	}
	slices.Sort(names)
	return names[0]
}

// serveFrame starts the frame origin on ln.
func (s *Server) serveFrame(ln net.Listener, dist *Assets, tlsConfig *tls.Config) error {
	h, err := frame.New(s.frameConfig(), dist)
	if err != nil {
		return err
	}
	frameLog := s.cfg.Logger.With("origin", "frame")
	s.frameHTTP = newHTTPServer(logRequests(frameLog, h), frameLog)
	if tlsConfig == nil {
		go func() { _ = s.frameHTTP.Serve(ln) }()
		return nil
	}
	s.frameHTTP.TLSConfig = tlsConfig
	go func() { _ = s.frameHTTP.ServeTLS(ln, "", "") }()
	return nil
}

// frameSrc is what the host page's CSP allows in frame-src.
func (s *Server) frameSrc() []string {
	return []string{s.FrameURL}
}
