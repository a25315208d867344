package checkout_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"

	"github.com/sealbridge/sealbridge/demo/apierr"
	"github.com/sealbridge/sealbridge/demo/checkout"
	"github.com/sealbridge/sealbridge/demo/provider"
	"github.com/sealbridge/sealbridge/demo/sandbox"
	"github.com/sealbridge/sealbridge/demo/session"
)

// Mounting the checkout-token endpoint: behind the session check, with the
// server's shared provider token source. The embedded sandbox stands in for
// the provider.
func ExampleNewMinter() {
	sb, err := sandbox.New(sandbox.Config{})
	if err != nil {
		log.Fatal(err)
	}
	providerSrv := httptest.NewServer(sb.Handler())
	defer providerSrv.Close()
	clientID, clientSecret := sb.ClientCredentials()
	providerURL := providerSrv.URL

	httpClient := provider.NewHTTPClient(0)
	tokens := provider.ClientCredentials(provider.ClientCredentialsConfig{
		ClientID: clientID, ClientSecret: clientSecret, TokenURL: providerURL + "/auth/token", HTTPClient: httpClient,
	})
	minter, err := checkout.NewMinter(checkout.MinterConfig{
		ProviderURL: providerURL,
		Source:      tokens, // shared with the intermediary; renewed if the provider refuses it
		HTTPClient:  httpClient,
		Owns:        checkout.DemoOwnership, // which user may pay which invoice, for which customer
	})
	if err != nil {
		log.Fatal(err)
	}
	sessions := &session.Sessions{Store: session.NewMemoryStore(0)}
	mux := http.NewServeMux()
	// Your own sign-in: it authenticates the user, then makes the session.
	mux.HandleFunc("POST /signin", func(w http.ResponseWriter, r *http.Request) { _, _, _ = sessions.SignIn(w, r, "demo-user") })
	unauthenticated := apierr.Handler(http.StatusUnauthorized, apierr.Unauthenticated, "no session: sign in first")
	mux.Handle("POST /api/checkout-token", sessions.Require(unauthenticated, minter))

	backend := httptest.NewServer(mux)
	defer backend.Close()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	if _, err := browser.Post(backend.URL+"/signin", "", nil); err != nil {
		log.Fatal(err)
	}
	fmt.Println(askToken(browser, backend.URL, "inv_1001"))
	fmt.Println(askToken(browser, backend.URL, "inv_2001"))
	// Output:
	// 200 a JWT of 3 parts
	// 403 forbidden
}

func askToken(browser *http.Client, base, invoiceID string) string {
	res, err := browser.Post(base+"/api/checkout-token", "application/json", strings.NewReader(`{"invoice_id":"`+invoiceID+`"}`))
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	var out struct{ Token, Code string }
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		log.Fatal(err)
	}
	if out.Token != "" {
		return fmt.Sprintf("%d a JWT of %d parts", res.StatusCode, len(strings.Split(out.Token, ".")))
	}
	return fmt.Sprint(res.StatusCode, " ", out.Code)
}
