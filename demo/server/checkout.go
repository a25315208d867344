package server

import (
	"github.com/sealbridge/sealbridge/demo/checkout"
)

// checkoutMinter mints scoped checkout tokens for the session's user with
// the server's one provider token source and HTTP client.
func (s *Server) checkoutMinter() (*checkout.Minter, error) {
	return checkout.NewMinter(checkout.MinterConfig{
		ProviderURL: s.ProviderURL,
		Source:      s.provider.tokens,
		HTTPClient:  s.provider.http,
		Logger:      s.cfg.Logger.With("component", "checkout"),
	})
}
