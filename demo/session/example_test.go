package session_test

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"

	"github.com/sealbridge/sealbridge/demo/apierr"
	"github.com/sealbridge/sealbridge/demo/session"
)

// Browser sessions: signing in sets the HttpOnly cookie, and the API routes
// behind Require answer 401 without it. Loading a page creates nothing.
func ExampleSessions() {
	sessions := &session.Sessions{
		Store:  session.NewMemoryStore(0), // or a shared Store for several instances
		Secure: false,                     // true behind TLS: Secure and the __Host- prefix
	}
	api := http.NewServeMux()
	api.HandleFunc("GET /api/whoami", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, session.From(r.Context()).User)
	})
	mux := http.NewServeMux()
	mux.HandleFunc("POST /signin", func(w http.ResponseWriter, r *http.Request) {
		// Your own authentication goes here, before the session is made.
		if _, _, err := sessions.SignIn(w, r, "demo-user"); err != nil {
			apierr.Write(w, http.StatusServiceUnavailable, apierr.SessionStoreUnavailable, "the session store failed; retry")
		}
	})
	unauthenticated := apierr.Handler(http.StatusUnauthorized, apierr.Unauthenticated, "no session: sign in first")
	mux.Handle("/api/", sessions.Require(unauthenticated, api))

	srv := httptest.NewServer(mux)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	fmt.Println(get(browser, srv.URL+"/api/whoami"))
	if _, err := browser.Post(srv.URL+"/signin", "", nil); err != nil {
		log.Fatal(err)
	}
	fmt.Println(get(browser, srv.URL+"/api/whoami"))
	fmt.Println(sessions.CookieName())
	// Output:
	// 401 {"code":"unauthenticated","message":"no session: sign in first"}
	// 200 demo-user
	// sealbridge
}

func get(c *http.Client, url string) string {
	res, err := c.Get(url)
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return fmt.Sprintf("%d %s", res.StatusCode, bytes.TrimSpace(b))
}
