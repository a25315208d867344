package intermediary_test

import (
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"

	"github.com/sealbridge/sealbridge/demo/intermediary"
	"github.com/sealbridge/sealbridge/demo/provider"
	"github.com/sealbridge/sealbridge/demo/sandbox"
	"github.com/sealbridge/sealbridge/demo/session"
	"github.com/sealbridge/sealbridge/wasm/descriptor"
)

// Mounting the intermediary in a Go backend: the provider's access token
// comes from one shared token source, and only callers with a live session
// get through. The embedded sandbox stands in for the provider.
func Example() {
	sb, err := sandbox.New(sandbox.Config{})
	if err != nil {
		log.Fatal(err)
	}
	providerSrv := httptest.NewServer(sb.Handler())
	defer providerSrv.Close()
	clientID, clientSecret := sb.ClientCredentials()
	providerURL := providerSrv.URL

	tokens := provider.ClientCredentials(provider.ClientCredentialsConfig{
		ClientID: clientID, ClientSecret: clientSecret, TokenURL: providerURL + "/auth/token",
	})
	sessions := &session.Sessions{Store: session.NewMemoryStore(0)}

	h, err := intermediary.New(intermediary.Config{
		ProviderURL:  providerURL,
		Token:        tokens.AccessToken,                                              // cached, shared by every call
		Allow:        intermediary.DefaultAllow,                                       // or intermediary.ParseAllow(os.Getenv("SEALBRIDGE_PROXY_ALLOW"))
		Authenticate: func(r *http.Request) bool { return sessions.Lookup(r) != nil }, // nil: every call is refused (401)
		Logger:       slog.New(slog.DiscardHandler),
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /api/embed-intermediary", h)
	// Your own sign-in: it authenticates the user, then makes the session.
	mux.HandleFunc("POST /signin", func(w http.ResponseWriter, r *http.Request) { _, _, _ = sessions.SignIn(w, r, "demo-user") })

	backend := httptest.NewServer(mux)
	defer backend.Close()
	fmt.Println(pageCall(backend.URL))
	// Output: 200 application/json
}

// pageCall does what the page does: sign in (session cookie), then
// send a request descriptor with the CSRF header. It returns the provider's
// status and content type, from the response envelope.
func pageCall(base string) string {
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	if _, err := browser.Post(base+"/signin", "", nil); err != nil {
		log.Fatal(err)
	}
	desc, err := descriptor.Encode(descriptor.Request{Method: "GET", Path: "/v2/sepa/beneficiaries"})
	if err != nil {
		log.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/api/embed-intermediary", strings.NewReader(desc))
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set(intermediary.CSRFHeader, "1")
	res, err := browser.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	env, err := descriptor.DecodeResponse(string(body), descriptor.Limits{})
	if err != nil {
		log.Fatal(err)
	}
	return fmt.Sprint(res.StatusCode, " ", env.Headers["content-type"])
}
