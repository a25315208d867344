// Package seal validates a provider's RSA public key (a JWK or a JWKS) and
// seals sensitive values with it as compact JWEs, either one value at a time
// or in place inside a JSON document named by JSON Pointers (RFC 6901).
//
// It is pure Go so that it can be tested natively and compiled to
// WebAssembly unchanged. Every failure is a *sberr.Error whose message says
// what is wrong and what to fix; no message ever quotes a value being sealed.
//
// The rules are strict on purpose: a key that could be misread (a private
// key, a signing key, a key fetched by reference, a duplicated member) is
// refused rather than guessed at, because a wrong guess sends a secret to
// the wrong party or in clear.
package seal
