package server

import (
	"context"
	"net/http"
	"slices"

	"github.com/sealbridge/sealbridge/demo/intermediary"
	"github.com/sealbridge/sealbridge/demo/sandbox"
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
	if s.Sandbox != nil {
		// Lets a page (and the e2e tests) ask the sandbox for a 428.
		fwd = append(slices.Clone(fwd), sandbox.SCAHeader)
	}
	return intermediary.New(intermediary.Config{
		ProviderURL:    s.ProviderURL,
		Token:          func(context.Context) (string, error) { return s.provider.token() },
		StagingToken:   s.cfg.StagingToken,
		Allow:          allow,
		ForwardHeaders: fwd,
		// The caller must hold a live session: the intermediary is no
		// public proxy.
		Authenticate: func(r *http.Request) bool { return s.sessions.Lookup(r) != nil },
		Logger:       s.cfg.Logger.With("component", "intermediary"),
	})
}
