package server

import (
	"github.com/sealbridge/sealbridge/demo/auth"
)

// checkoutMinter mints scoped checkout tokens for the session's user with
// the server's client credentials (seeds/003).
func (s *Server) checkoutMinter() (*auth.CheckoutMinter, error) {
	return auth.NewCheckoutMinter(auth.CheckoutMinterConfig{
		ProviderURL:  s.ProviderURL,
		ClientID:     s.provider.clientID,
		ClientSecret: s.provider.clientSecret,
		HTTPClient:   s.provider.http,
		Logger:       s.cfg.Logger.With("component", "checkout"),
	})
}
