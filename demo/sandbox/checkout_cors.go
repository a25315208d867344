package sandbox

import (
	"net/http"
	"strings"
)

// checkoutCORS lets the listed page origins call the invoice API with a
// scoped token. Exact origins only, never "*"; no credentials (the token
// travels in Authorization, not in a cookie).
type checkoutCORS struct {
	origins map[string]bool
}

// The preflight grants exactly what the shim sends.
const (
	checkoutCORSMethods = "GET, POST"
	checkoutCORSHeaders = "Authorization, Content-Type"
	checkoutCORSMaxAge  = "600"
)

func newCheckoutCORS(origins []string) *checkoutCORS {
	c := &checkoutCORS{origins: map[string]bool{}}
	for _, o := range origins {
		if o = strings.TrimSuffix(strings.TrimSpace(o), "/"); o != "" && o != "*" && o != "null" {
			c.origins[o] = true
		}
	}
	return c
}

// wrap answers actual (non-preflight) requests. A request from an origin
// that is not listed is refused outright rather than served without CORS
// headers: a browser would hide the answer, but the side effect (a payment)
// would already have happened.
func (c *checkoutCORS) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		if origin != "" {
			if !c.origins[origin] {
				writeError(w, http.StatusForbidden, "origin_not_allowed", "this origin may not call the API")
				return
			}
			w.Header().Set("Access-Control-Allow-Origin", origin)
			// Let the page read why a call failed, so that it renews on
			// invalid_token.
			w.Header().Set("Access-Control-Expose-Headers", "WWW-Authenticate")
		}
		next.ServeHTTP(w, r)
	})
}

// preflight answers OPTIONS for one route. It grants GET or POST with the
// Authorization and Content-Type headers to listed origins, and refuses
// anything else with a 403 that carries no CORS header.
func (c *checkoutCORS) preflight(route string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("Vary", "Origin")
		h.Add("Vary", "Access-Control-Request-Method")
		h.Add("Vary", "Access-Control-Request-Headers")
		origin := r.Header.Get("Origin")
		method := r.Header.Get("Access-Control-Request-Method")
		if !c.origins[origin] || !preflightMethodOK(route, method) || !preflightHeadersOK(r.Header.Values("Access-Control-Request-Headers")) {
			writeError(w, http.StatusForbidden, "cors_refused", "cross-origin request not allowed")
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Methods", checkoutCORSMethods)
		h.Set("Access-Control-Allow-Headers", checkoutCORSHeaders)
		h.Set("Access-Control-Max-Age", checkoutCORSMaxAge)
		w.WriteHeader(http.StatusNoContent)
	})
}

// preflightMethodOK allows the one method each route serves.
func preflightMethodOK(route, method string) bool {
	if strings.HasSuffix(route, "/payments") {
		return method == http.MethodPost
	}
	return method == http.MethodGet
}

// preflightHeadersOK accepts a (possibly empty) comma-separated list of
// Authorization and Content-Type, in any case.
func preflightHeadersOK(values []string) bool {
	for _, v := range values {
		for _, name := range strings.Split(v, ",") {
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "", "authorization", "content-type":
			default:
				return false
			}
		}
	}
	return true
}
