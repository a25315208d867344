package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/sandbox"
)

// slowProvider stands in for a provider whose connection endpoint answers
// only when the test releases it: arrived is closed when the call is
// there.
type slowProvider struct {
	*httptest.Server
	arrived chan struct{}
	release chan struct{}
	answer  func() // closes release, once
}

func newSlowProvider(t *testing.T) *slowProvider {
	p := &slowProvider{arrived: make(chan struct{}), release: make(chan struct{})}
	var once sync.Once
	p.answer = func() { once.Do(func() { close(p.release) }) }
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != sandbox.ConnectionsPath || r.Header.Get("Authorization") != "Bearer test-access-token" {
			http.Error(w, `{"code":"unexpected"}`, http.StatusBadRequest)
			return
		}
		close(p.arrived)
		<-p.release
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"id":7}`)
	}))
	t.Cleanup(p.Close)
	t.Cleanup(p.answer) // before Close, which waits for the handler
	return p
}

// sealedShape is a value with the shape of the shim's compact JWEs, which
// is all the dev server checks before forwarding (it cannot decrypt).
func sealedShape() string {
	enc := base64.RawURLEncoding.EncodeToString
	return strings.Join([]string{
		enc([]byte(`{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"k1"}`)),
		enc([]byte("wrapped key")), enc(make([]byte, 12)), enc([]byte("ciphertext")), enc(make([]byte, 16)),
	}, ".")
}

// signIn gives client a session on the dev server at base and returns its
// cookie.
func signIn(t *testing.T, client *http.Client, base string) *http.Cookie {
	t.Helper()
	res := postSignIn(t, client, base)
	require.NotEmpty(t, res.Cookies(), "no session cookie")
	return res.Cookies()[0]
}

// postSignIn signs in as the page's button does (POST /api/session).
func postSignIn(t *testing.T, client *http.Client, base string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/api/session", strings.NewReader(`{"user":"demo"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", base)
	req.Header.Set("X-Sealbridge-Request", "1")
	res, err := client.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	return res
}

// SIGTERM while a call waits on a slow provider: the server stops taking
// connections at once, the call still completes with the provider's
// answer (6 s later), and then the process exits 0.
func TestSIGTERMDrainsCallToSlowProvider(t *testing.T) {
	provider := newSlowProvider(t)
	p := startDemo(t, "SEALBRIDGE_PROVIDER_URL="+provider.URL, "SEALBRIDGE_ACCESS_TOKEN=test-access-token")
	cookie := signIn(t, http.DefaultClient, p.URL)

	type answer struct {
		status int
		body   string
		err    error
	}
	done := make(chan answer, 1)
	go func() {
		body, _ := json.Marshal(map[string]any{"id_connector": 40, "login": sealedShape(), "password": sealedShape()})
		req, _ := http.NewRequest(http.MethodPost, p.URL+"/api/connections", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Sealbridge-Request", "1")
		req.AddCookie(cookie)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- answer{err: err}
			return
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		done <- answer{status: res.StatusCode, body: string(b), err: err}
	}()
	select {
	case <-provider.arrived:
	case <-time.After(10 * time.Second):
		t.Fatalf("the call never reached the provider\n%s", p.stderr.String())
	}

	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	waitRefused(t, strings.TrimPrefix(p.URL, "http://"))
	select {
	case <-p.exited:
		t.Fatalf("the process exited with a call in flight\n%s", p.stderr.String())
	case a := <-done:
		t.Fatalf("the call ended before the provider answered: %+v", a)
	default:
	}

	// The provider answers past the 5 s that Close used to allow, and well
	// within the upstream timeout.
	time.Sleep(6 * time.Second)
	provider.answer()
	select {
	case a := <-done:
		require.NoError(t, a.err, "the call in flight was cut off")
		assert.Equal(t, http.StatusCreated, a.status, a.body)
		assert.JSONEq(t, `{"id":7}`, a.body)
	case <-time.After(10 * time.Second):
		t.Fatal("the call did not complete within 10 s of the provider's answer")
	}
	assert.Equal(t, 0, p.waitExit(t, 10*time.Second), p.stderr.String())
	assert.Contains(t, p.stderr.String(), "sealbridge demo: stopped")
}

// waitRefused waits up to 5 s for addr to refuse new connections, which
// is how a load balancer learns that the instance is going away.
func waitRefused(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return
		}
		c.Close()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s still accepts connections 5 s after SIGTERM", addr)
}

// SEALBRIDGE_TLS_CERT_FILE and SEALBRIDGE_TLS_KEY_FILE: the dev server
// speaks HTTPS with that certificate, and its session cookie and headers
// are those of an HTTPS site.
func TestTLSFromEnvironment(t *testing.T) {
	certFile, keyFile, cert := testCertificate(t)
	p := startDemo(t, "SEALBRIDGE_TLS_CERT_FILE="+certFile, "SEALBRIDGE_TLS_KEY_FILE="+keyFile)
	require.True(t, strings.HasPrefix(p.URL, "https://127.0.0.1:"), p.URL)
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}

	res := postSignIn(t, client, p.URL)
	require.NotNil(t, res.TLS, "answered over TLS")
	assertSecureSite(t, res)
}

// SEALBRIDGE_SECURE=1 says a TLS proxy is in front: the dev server speaks
// plain HTTP to it but sets the cookie and headers of an HTTPS site.
func TestSecureBehindProxyFromEnvironment(t *testing.T) {
	p := startDemo(t, "SEALBRIDGE_SECURE=1")
	require.True(t, strings.HasPrefix(p.URL, "http://127.0.0.1:"), p.URL)
	assertSecureSite(t, postSignIn(t, http.DefaultClient, p.URL))
}

// Plain HTTP without SEALBRIDGE_SECURE: no Secure cookie, which the
// browser would drop, and no HSTS, which it would ignore.
func TestPlainHTTPByDefault(t *testing.T) {
	p := startDemo(t)
	res := postSignIn(t, http.DefaultClient, p.URL)
	require.Len(t, res.Cookies(), 1)
	c := res.Cookies()[0]
	assert.Equal(t, "sealbridge", c.Name)
	assert.False(t, c.Secure)
	assert.True(t, c.HttpOnly)
	assert.Empty(t, res.Header.Get("Strict-Transport-Security"))
}

func assertSecureSite(t *testing.T, res *http.Response) {
	t.Helper()
	require.Len(t, res.Cookies(), 1, "one session cookie")
	c := res.Cookies()[0]
	assert.Equal(t, "__Host-sealbridge", c.Name, "__Host-: bound to this exact origin")
	assert.True(t, c.Secure, "Secure")
	assert.True(t, c.HttpOnly, "HttpOnly")
	assert.Equal(t, "/", c.Path)
	assert.Empty(t, c.Domain, "a __Host- cookie has no Domain")
	assert.Equal(t, "max-age=31536000", res.Header.Get("Strict-Transport-Security"))
}

// A half-configured TLS setup or a bad certificate stops the server at
// start with a message that names what to fix, instead of serving plain
// HTTP to someone who meant HTTPS.
func TestTLSMisconfigurationFailsAtStart(t *testing.T) {
	certFile, _, _ := testCertificate(t)
	for name, env := range map[string][]string{
		"cert without key": {"SEALBRIDGE_TLS_CERT_FILE=" + certFile},
		"key is the cert":  {"SEALBRIDGE_TLS_CERT_FILE=" + certFile, "SEALBRIDGE_TLS_KEY_FILE=" + certFile},
		"secure=maybe":     {"SEALBRIDGE_SECURE=maybe"},
	} {
		t.Run(name, func(t *testing.T) {
			cmd := newDemoCommand(t, env...)
			out, err := cmd.CombinedOutput()
			require.Error(t, err, "started anyway:\n%s", out)
			assert.NotZero(t, cmd.ProcessState.ExitCode())
			assert.Regexp(t, "SEALBRIDGE_(TLS|SECURE)|TLS certificate", string(out))
		})
	}
}
