// Package session holds the page's scoped access token (a short-lived
// checkout JWT, RFC 7519): it reads the token's claims, decides when the
// token must be renewed, and renews it through the page's onAccessTokenExpired callback,
// once for any number of concurrent callers.
//
// It is pure Go (standard library and sberr only) because it is compiled to
// WebAssembly: no syscall/js, no net/http, no JOSE library. Claims are read
// without verifying the signature; the page only needs them for display and
// expiry, and every server verifies the token.
//
// # When a token is renewed
//
// Token renews proactively when the page clock says now >= exp - Skew, when
// the current token is unreadable (a garbage initial token counts as expired),
// or when there is no token but a callback. Invalidate renews after the
// server answered 401 for a token, whatever the page clock says.
//
// # Browser clocks are wrong
//
// A page clock that runs an hour ahead makes every token look expired. Two
// rules keep that from becoming a storm of callbacks:
//
//   - A token that the callback has just handed over is used by the calls that
//     waited for it even if the page clock says it has expired: the server is
//     the judge, and a 401 leads to Invalidate.
//   - Fresh at issue: a token obtained from the callback is not renewed
//     proactively again until MinRenewInterval (default 5s) has passed since
//     it arrived. Within that interval only a 401 (Invalidate) renews it. So a
//     wrong clock costs at most one callback per MinRenewInterval.
//
// A renewed token is refused (sberr.TokenInvalid) only when it is unreadable,
// when it is the very token the server has just rejected, or when it expired
// more than MaxClockSkew (default 24h, beyond any time-zone mistake) before
// the page's now.
//
// # One renewal per call, shared by all
//
// While a renewal is in flight every caller of Token or Invalidate waits for
// it and gets its result; the callback runs once per renewal. A call never
// renews more than once: if the renewal fails, or yields a token that is
// itself unusable, the call returns the error and the next call starts a new
// renewal. A callback that does not settle within RenewTimeout fails its
// waiters with sberr.Timeout without being waited for (it runs in its own
// goroutine and receives a context cancelled at that deadline).
//
// A failed renewal leaves the current token as it was.
//
// # Without a callback
//
// No token: Token returns "", nil (calls without auth are allowed). A token
// within Skew of exp but not yet expired is still returned. An expired or
// unreadable token, or a 401 (Invalidate), gives sberr.TokenInvalid naming
// the missing onAccessTokenExpired.
//
// A caller whose own context ends while it waits gets sberr.Timeout wrapping
// ctx.Err() (errors.Is(err, context.Canceled) or context.DeadlineExceeded
// tells which); the renewal goes on for the other waiters.
package session
