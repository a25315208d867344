package scoped_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/sealbridge/sealbridge/demo/checkout"
	"github.com/sealbridge/sealbridge/demo/intermediary"
	"github.com/sealbridge/sealbridge/demo/provider"
	"github.com/sealbridge/sealbridge/demo/sandbox"
	"github.com/sealbridge/sealbridge/demo/scoped"
)

// Verifying a scoped checkout token against the provider's published keys.
// The embedded sandbox stands in for the provider and mints the token.
func ExampleVerifier() {
	sb, err := sandbox.New(sandbox.Config{})
	if err != nil {
		log.Fatal(err)
	}
	providerSrv := httptest.NewServer(sb.Handler())
	defer providerSrv.Close()
	providerURL := providerSrv.URL

	v, err := scoped.NewVerifier(scoped.VerifierConfig{
		JWKSURL:  providerURL + "/.well-known/jwks.json",
		Issuer:   sandbox.DefaultCheckoutIssuer,   // the provider's iss
		Audience: sandbox.DefaultCheckoutAudience, // and aud for scoped tokens
	})
	if err != nil {
		log.Fatal(err)
	}
	claims, err := v.Verify(context.Background(), mintAt(sb, providerURL))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(claims.CustomerID, claims.InvoiceID)

	// In front of the intermediary: a bad bearer token gets 401
	// invalid_token, on which the page renews its token.
	cfg := intermediary.Config{VerifyCaller: v.VerifyRequest}
	req := httptest.NewRequest(http.MethodPost, "/api/embed-intermediary", nil)
	req.Header.Set("Authorization", "Bearer not.a.token")
	fmt.Println(cfg.VerifyCaller(req))
	// Output:
	// cus_demo inv_1001
	// scoped token refused: token is malformed or not signed with RS256
}

// mintAt asks the sandbox for a scoped token for cus_demo's inv_1001, with
// the server's client-credentials token, as the checkout minter does.
func mintAt(sb *sandbox.Sandbox, providerURL string) string {
	id, secret := sb.ClientCredentials()
	tokens := provider.ClientCredentials(provider.ClientCredentialsConfig{ClientID: id, ClientSecret: secret, TokenURL: providerURL + "/auth/token"})
	at, err := tokens.Token()
	if err != nil {
		log.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, providerURL+"/v1/checkout-auth/init", strings.NewReader(`{"customer_id":"cus_demo","invoice_id":"inv_1001"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+at.AccessToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		log.Fatal(err)
	}
	return out.Token
}

// Binding a scoped token to the intermediary's calls: the token's customer
// must be the session user's, and a rule's {invoice} the token's invoice.
func ExampleGuard() {
	sb, err := sandbox.New(sandbox.Config{})
	if err != nil {
		log.Fatal(err)
	}
	providerSrv := httptest.NewServer(sb.Handler())
	defer providerSrv.Close()
	providerURL := providerSrv.URL
	v, err := scoped.NewVerifier(scoped.VerifierConfig{
		JWKSURL:  providerURL + "/.well-known/jwks.json",
		Issuer:   sandbox.DefaultCheckoutIssuer,   // the provider's iss
		Audience: sandbox.DefaultCheckoutAudience, // and aud for scoped tokens
	})
	if err != nil {
		log.Fatal(err)
	}
	guard := &scoped.Guard{Verifier: v, OwnsCustomer: checkout.DemoOwnsCustomer, Required: true}
	cfg := intermediary.Config{AuthorizeCall: func(r *http.Request, call intermediary.Call) error {
		return guard.Check(r, userOf(r), call.Params) // userOf: your session's user
	}}

	req := httptest.NewRequest(http.MethodPost, "/api/embed-intermediary", nil)
	req.Header.Set("Authorization", "Bearer "+mintAt(sb, providerURL)) // for inv_1001
	for _, invoice := range []string{"inv_1001", "inv_1002"} {
		call := intermediary.Call{Method: "GET", Template: "/v1/invoices/{invoice}", Params: map[string]string{scoped.InvoiceParam: invoice}}
		fmt.Println(invoice, cfg.AuthorizeCall(req, call))
	}
	req.Header.Del("Authorization")
	fmt.Println(cfg.AuthorizeCall(req, intermediary.Call{Method: "GET", Template: "/v2/organization"}))
	// Output:
	// inv_1001 <nil>
	// inv_1002 scoped token out of scope: the token is for another invoice than the path's
	// scoped token refused: a scoped bearer token is required (Authorization: Bearer <token>)
}

// userOf stands for the integrator's session lookup.
func userOf(*http.Request) string { return "demo-user" }
