package server

import (
	"net/http"
)

// CSRFHeader must be present on every state-changing API call. A cross-site
// form cannot set a custom header, and a cross-site fetch that sets one
// needs a CORS preflight that this server never grants.
const CSRFHeader = "X-Sealbridge-Request"

// csrf refuses cross-origin unsafe requests (http.CrossOriginProtection
// reads Sec-Fetch-Site and Origin) and requires CSRFHeader on them.
func csrf(deny http.Handler, next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(deny)
	return cop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isSafeMethod(r.Method) && r.Header.Get(CSRFHeader) == "" {
			deny.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	}))
}

func isSafeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
