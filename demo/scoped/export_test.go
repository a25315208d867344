package scoped

import "time"

// Seams for the external tests (package scoped_test), which import the
// sandbox, which imports this package.

// SetJoinHook makes v call f when a caller joins a JWKS fetch in flight.
func SetJoinHook(v *Verifier, f func()) { v.joinHook = f }

// LeewayOf is v's effective leeway.
func LeewayOf(v *Verifier) time.Duration { return v.leeway }

// ParseJWKS is the key-set parser.
var ParseJWKS = parseScopedJWKS
