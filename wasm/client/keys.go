package client

import "context"

// Keyring is the key a client seals with. When the provider answers that
// it no longer knows that key (unknown_kid), the client asks for its
// successor with Refresh, seals the original values again and retries once.
type Keyring interface {
	// Seal replaces the string values at pointers in body with JWEs and
	// names the key it used (its RFC 7638 thumbprint).
	Seal(body []byte, pointers []string) (sealed []byte, keyID string, err error)
	// Refresh replaces the key named keyID with the one its source serves
	// now. Concurrent calls for the same keyID share one fetch; a call for
	// a key that was already replaced returns at once. It fails with
	// key_unknown when the source still serves the refused key, and with
	// the fetch's error (key_unavailable, key_pin_mismatch, …) otherwise.
	Refresh(ctx context.Context, keyID string) error
}

// sealed is a call's body as sent, and what is needed to seal it again.
type sealed struct {
	original []byte // the values as the page gave them
	keyID    string // the key that sealed what is in call.Body
}
