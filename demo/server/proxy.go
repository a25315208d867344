package server

import (
	"errors"
	"net/http"
	"slices"

	"github.com/sealbridge/sealbridge/demo/checkout"
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
	authorize, err := s.scopedTokenCheck()
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
		Authenticate:  authenticated,
		VerifyCaller:  storeCheck,
		AuthorizeCall: authorize,
		Logger:        s.cfg.Logger.With("component", "intermediary"),
	})
}

// scopedTokenCheck binds the scoped checkout token a page sends to the
// intermediary (proxy mode with a token) to the call: it verifies the
// token (signature against the provider's JWKS, iss, aud, exp), then
// checks that its customer is one the session's user owns and that a
// rule's {invoice} is the token's invoice (scoped.Guard). An expired or
// bad token gets 401 invalid_token, so the shim renews it; one beyond
// its scope gets 403. Calls without one rely on the session alone unless
// ProxyRequireToken is set or the rule names {invoice}.
//
// Only with the sandbox, whose issuer, audience and key set are known.
// With a real provider nothing here can verify its tokens: there is no
// check (nil), so the intermediary forwards no call naming {invoice},
// and ProxyRequireToken is a start-up error.
func (s *Server) scopedTokenCheck() (func(*http.Request, intermediary.Call) error, error) {
	if !s.onSandbox() {
		if s.cfg.ProxyRequireToken {
			return nil, errors.New(EnvProxyRequireToken + " needs the embedded sandbox: the dev server can only verify the sandbox's scoped tokens")
		}
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
	guard := &scoped.Guard{Verifier: v, OwnsCustomer: checkout.DemoOwnsCustomer, Required: s.cfg.ProxyRequireToken}
	return func(r *http.Request, call intermediary.Call) error {
		return guard.Check(r, sessionUser(r), call.Params)
	}, nil
}
