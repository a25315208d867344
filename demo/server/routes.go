package server

import (
	"github.com/sealbridge/sealbridge/demo/checkout"
	"github.com/sealbridge/sealbridge/demo/sandbox"
	"net/http"

	"github.com/sealbridge/sealbridge/demo/apierr"
)

// routes builds the dev server's handler. Every /api/ route but
// /api/session and /api/config needs the session cookie that signing in
// (POST /api/session) sets, and every unsafe /api/ call passes the CSRF
// checks. Loading the page creates no session.
func (s *Server) routes() (http.Handler, *Assets, error) {
	mux := http.NewServeMux()
	static, err := s.staticFiles()
	if err != nil {
		return nil, nil, err
	}
	mux.Handle("GET /dist/", static.dist)
	mux.Handle("GET /static/", static.web)
	mux.HandleFunc("GET /{$}", s.page(static))
	mux.HandleFunc("GET /api/config", s.handleConfig)
	icon, err := favicon()
	if err != nil {
		return nil, nil, err
	}
	mux.HandleFunc("GET /favicon.ico", icon)
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.HandleFunc("GET /readyz", s.handleReadyz)

	api := http.NewServeMux()
	api.HandleFunc("POST /api/connections", s.handleConnections)
	minter, err := s.checkoutMinter()
	if err != nil {
		return nil, nil, err
	}
	api.Handle("POST /api/checkout-token", minter)
	proxy, err := s.intermediaryHandler()
	if err != nil {
		return nil, nil, err
	}
	// Not behind protect(): the intermediary checks the session and CSRF
	// itself, so that its refusals are response envelopes like its other
	// answers (what the Qonto SDK and the shim decode).
	mux.Handle("POST /api/embed-intermediary", s.findSession(proxy))
	flows, err := s.oauthFlows()
	if err != nil {
		return nil, nil, err
	}
	if flows != nil {
		flows.RegisterRedirects(mux)
		flows.RegisterAPI(api)
	}
	si := &signIn{sessions: s.sessions, flows: flows, log: s.cfg.Logger.With("component", "session"), address: clientAddress(s.cfg.TrustedProxies)}
	si.mount(mux, csrfDenied())
	mux.Handle("/api/", s.protect(api))

	handler := securityHeaders(s.connectSources(), s.frameSrc(), logRequests(s.cfg.Logger, recoverPanics(s.cfg.Logger, mux)))
	if s.cfg.Secure {
		handler = strictTransport(handler)
	}
	return handler, static.assets, nil
}

// connectSources are the origins besides its own that the page may fetch
// from: the provider, for its public key.
func (s *Server) connectSources() []string { return []string{s.ProviderURL} }

// protect puts an API mux behind the session and CSRF checks.
func (s *Server) protect(h http.Handler) http.Handler {
	return s.sessions.Require(unauthenticatedHandler(), csrf(csrfDenied(), h))
}

// unauthenticatedHandler answers a call that needs a signed-in user.
func unauthenticatedHandler() http.Handler {
	return errorHandler(http.StatusUnauthorized, apierr.Unauthenticated, "no session: sign in first (POST /api/session, the page's Sign in button), and send its cookie")
}

func csrfDenied() http.Handler {
	return errorHandler(http.StatusForbidden, apierr.CSRF, "cross-site request refused: call from the page's own origin with the "+CSRFHeader+" header")
}

// pageConfig is what the page needs to know about the provider. It holds
// no secret: URLs of public endpoints only.
type pageConfig struct {
	ProviderURL string `json:"providerURL"`
	KeyURL      string `json:"keyURL"`
	Sandbox     bool   `json:"sandbox"`
	// Invoices the demo user may check out (the demo's ownership table).
	Invoices []string `json:"invoices"`
	// FrameURL is the secure fields' page on the frame origin, and
	// FrameProvider the name of the key it seals to.
	FrameURL      string `json:"frameURL"`
	FrameProvider string `json:"frameProvider"`
}

func (s *Server) handleConfig(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, pageConfig{
		ProviderURL:   s.ProviderURL,
		KeyURL:        s.ProviderURL + sandbox.KeyPath,
		Sandbox:       s.onSandbox(),
		Invoices:      checkout.DemoInvoices("demo-user"),
		FrameURL:      s.FrameURL + FramePage,
		FrameProvider: s.frameProviderName(),
	})
}
