package server

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Canaries: every secret the dev server holds or passes on. None may
// reach a log line or an answer, whatever the provider sends back.
const (
	echoClientID     = "canary-client"
	echoClientSecret = "canary-client-secret-7d1f0a"
	echoPassword     = "canary-password-5b9e22"
	echoAccessToken  = "canary-access-token-c4a871"
	echoRefreshToken = "canary-refresh-token-90d3f5"
	echoCode         = "canary-code-2e6b04"
	echoOTP          = "Otp7canary31"
)

// echoBasic is the Authorization value x/oauth2 sends (RFC 6749 §2.3.1:
// id and secret form-encoded, then base64).
var echoBasic = base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(echoClientID) + ":" + url.QueryEscape(echoClientSecret)))

// echoWay is one way for a provider to fail while echoing the whole
// request (headers and body) it received.
type echoWay struct {
	name  string
	write func(w http.ResponseWriter, dump string)
}

func jsonEcho(status int, v map[string]string) func(http.ResponseWriter, string) {
	return func(w http.ResponseWriter, dump string) {
		out := map[string]string{}
		for k, val := range v {
			out[k] = strings.ReplaceAll(val, "ECHO", dump)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(out)
	}
}

func textEcho(status int, contentType string, wrap string) func(http.ResponseWriter, string) {
	return func(w http.ResponseWriter, dump string) {
		w.Header().Set("Content-Type", contentType)
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Basic realm="echo"`)
		}
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, wrap, dump)
	}
}

// tokenEchoWays fail a token request (RFC 6749 §5.2 and worse).
var tokenEchoWays = []echoWay{
	{"500 text", textEcho(500, "text/plain", "request was:\n%s")},
	{"400 JSON error_description", jsonEcho(400, map[string]string{"error": "invalid_request", "error_description": "ECHO", "error_uri": "http://127.0.0.1/ECHO"})},
	{"400 JSON echoed error code", jsonEcho(400, map[string]string{"error": "ECHO"})},
	{"401 JSON invalid_client", jsonEcho(401, map[string]string{"error": "invalid_client", "error_description": "ECHO"})},
	{"401 text", textEcho(401, "text/plain", "%s")},
	{"HTML", textEcho(502, "text/html", "<html><body><pre>%s</pre></body></html>")},
	{"400 form-encoded", func(w http.ResponseWriter, dump string) {
		w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
		w.WriteHeader(400)
		_, _ = w.Write([]byte(url.Values{"error": {"invalid_grant"}, "error_description": {dump}}.Encode()))
	}},
	{"200 JSON error", jsonEcho(200, map[string]string{"error": "ECHO"})},
	{"200 unparsable expires_in", jsonEcho(200, map[string]string{"access_token": "x", "expires_in": "ECHO"})},
}

// resourceEchoWays fail a provider API call.
var resourceEchoWays = []echoWay{
	{"400 JSON echoed code and message", jsonEcho(400, map[string]string{"code": "ECHO", "message": "ECHO"})},
	{"400 known code, echoed message", jsonEcho(400, map[string]string{"code": "TWO_FACTOR_NOT_REQUIRED", "message": "ECHO"})},
	{"400 known code, echoed description", jsonEcho(400, map[string]string{"code": "unknown_kid", "message": "ECHO", "error_description": "ECHO"})},
	{"403 RESTRICTED, echoed message", jsonEcho(403, map[string]string{"code": "RESTRICTED", "message": "ECHO"})},
	{"422 JSON", jsonEcho(422, map[string]string{"code": "invalid_request", "message": "ECHO", "body": "ECHO"})},
	{"500 text", textEcho(500, "text/plain", "%s")},
	{"HTML", textEcho(502, "text/html", "<html><body><pre>%s</pre></body></html>")},
}

// echoProvider is a provider whose chosen endpoints fail in one echoWay,
// and that records how the client authenticated at its token endpoint.
type echoProvider struct {
	srv *httptest.Server

	mu            sync.Mutex
	way           echoWay
	failGrants    map[string]bool // grant types whose token request fails
	failResources bool            // every non-token endpoint fails
	tokenRequests []tokenRequest
	seen          []string // secret values the provider received (PKCE verifier, ...)
}

// tokenRequest is how one token request authenticated.
type tokenRequest struct {
	grant       string
	basic       string // Authorization header
	formSecret  bool   // client_secret in the body
	formClient  bool   // client_id in the body
	failed      bool
	contentType string
}

func newEchoProvider(t *testing.T) *echoProvider {
	p := &echoProvider{failGrants: map[string]bool{}}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

// set chooses the failure for the next scenario and forgets the record.
func (p *echoProvider) set(way echoWay, failResources bool, failGrants ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.way, p.failResources, p.tokenRequests = way, failResources, nil
	p.failGrants = map[string]bool{}
	for _, g := range failGrants {
		p.failGrants[g] = true
	}
}

func (p *echoProvider) failedTokenRequests() []tokenRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []tokenRequest
	for _, r := range p.tokenRequests {
		if r.failed {
			out = append(out, r)
		}
	}
	return out
}

func (p *echoProvider) serve(w http.ResponseWriter, r *http.Request) {
	dump, _ := httputil.DumpRequest(r, true)
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.URL.Path == "/auth/token" {
		p.token(w, r, string(dump))
		return
	}
	if p.failResources {
		p.way.write(w, string(dump))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/v1/self":
		_, _ = w.Write([]byte(`{"userId":"u1","username":"alice","isMFARequired":true,"mfaDeliveryMethods":["TOTP"]}`))
	case "/auth/context":
		_, _ = w.Write([]byte(`{"userId":"u1","name":"Alice"}`))
	default:
		p.way.write(w, string(dump))
	}
}

// token answers POST /auth/token. Callers hold p.mu.
func (p *echoProvider) token(w http.ResponseWriter, r *http.Request, dump string) {
	_ = r.ParseForm()
	grant := r.PostForm.Get("grant_type")
	for _, k := range []string{"code_verifier", "password", "refresh_token", "code"} {
		if v := r.PostForm.Get(k); v != "" {
			p.seen = append(p.seen, v)
		}
	}
	rec := tokenRequest{
		grant: grant, basic: r.Header.Get("Authorization"), contentType: r.Header.Get("Content-Type"),
		formSecret: r.PostForm.Has("client_secret"), formClient: r.PostForm.Has("client_id"),
		failed: p.failGrants[grant],
	}
	p.tokenRequests = append(p.tokenRequests, rec)
	if rec.failed {
		p.way.write(w, dump)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	// expires_in 1: the session's token is stale at once (10 s skew), so
	// the next call refreshes.
	_ = json.NewEncoder(w).Encode(map[string]any{
		"access_token": echoAccessToken, "token_type": "Bearer", "expires_in": 1, "refresh_token": echoRefreshToken,
	})
}

// canaries are every secret the provider has seen or given out, in the
// forms they travel in.
func (p *echoProvider) canaries() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := []string{echoClientSecret, echoBasic, echoPassword, echoAccessToken, echoRefreshToken, echoCode, echoOTP}
	for _, c := range append([]string(nil), out...) {
		out = append(out, url.QueryEscape(c), html.EscapeString(c))
	}
	return append(out, p.seen...)
}
