package server

import (
	"net/http"
	"slices"

	"github.com/sealbridge/sealbridge/demo/intermediary"
	"github.com/sealbridge/sealbridge/demo/sandbox"
	"github.com/sealbridge/sealbridge/demo/scoped"
)

// intermediaryHandler is the backend half of the proxy: it adds the
// server-held access token (and staging token) to the page's request
// descriptors and forwards them to the provider's dispatch endpoint.
func (s *Server) intermediaryHandler() (http.Handler, error) {
	allow := intermediary.DefaultAllow
	if s.cfg.ProxyAllow != "" {
		var err error
		if allow, err = intermediary.ParseAllow(s.cfg.ProxyAllow); err != nil {
			return nil, err
		}
	}
	fwd := intermediary.DefaultForwardHeaders
	if s.onSandbox() {
		// Lets a page (and the e2e tests) ask the sandbox for a 428.
		fwd = append(slices.Clone(fwd), sandbox.SCAHeader)
	}
	verify, err := s.scopedTokenCheck()
	if err != nil {
		return nil, err
	}
	return intermediary.New(intermediary.Config{
		ProviderURL:    s.ProviderURL,
		Token:          s.provider.tokens.AccessToken,
		Client:         s.provider.http,
		StagingToken:   s.cfg.StagingToken,
		Allow:          allow,
		ForwardHeaders: fwd,
		// The caller must hold a live session: the intermediary is no
		// public proxy. findSession looked it up (routes.go).
		Authenticate: authenticated,
		VerifyCaller: callerCheck(verify),
		Logger:       s.cfg.Logger.With("component", "intermediary"),
	})
}

// scopedTokenCheck verifies a scoped checkout token that a page sends to
// the intermediary (proxy mode with a token): signature against the
// provider's JWKS, iss, aud, exp. An expired or bad one gets 401
// invalid_token, so the shim renews it; calls without one rely on the
// session alone. Only with the sandbox, whose issuer and audience are
// known; a real provider's scoped tokens are its own to check.
func (s *Server) scopedTokenCheck() (func(*http.Request) error, error) {
	if !s.onSandbox() {
		return nil, nil
	}
	iss, aud := s.cfg.Sandbox.Checkout.Issuer, s.cfg.Sandbox.Checkout.Audience
	if iss == "" {
		iss = sandbox.DefaultCheckoutIssuer
	}
	if aud == "" {
		aud = sandbox.DefaultCheckoutAudience
	}
	v, err := scoped.NewVerifier(scoped.VerifierConfig{
		JWKSURL:    s.ProviderURL + "/.well-known/jwks.json",
		Issuer:     iss,
		Audience:   aud,
		HTTPClient: s.provider.http,
		Logger:     s.cfg.Logger.With("component", "scoped-token"),
	})
	if err != nil {
		return nil, err
	}
	return v.VerifyRequest, nil
}
