package e2e

import (
	"net"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/sandbox"
	"github.com/sealbridge/sealbridge/demo/server"
)

// freePort returns a loopback port that was free a moment ago, for a test
// that must know the dev server's origin before starting it.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	_, port, err := net.SplitHostPort(ln.Addr().String())
	require.NoError(t, err)
	return port
}

// insecureHost resolves to 127.0.0.1 in the suite's Chromium, but as a
// name it makes http://insecureHost:port a page on plain http that is not
// localhost: what an integrator gets by forgetting https.
const insecureHost = "insecure.sealbridge.test"

// A page without crypto.subtle cannot seal: every sealing call rejects with
// insecure_context, whose message says to serve the page over https, and
// nothing is sent (not even the key request).
func TestInsecureContextSendsNothing(t *testing.T) {
	// The secure fields' frame must accept the insecure name as its parent
	// (it is then no secure context either), so the port is known first.
	port := freePort(t)
	e := newEnv(t, func(c *server.Config) {
		c.Addr = "127.0.0.1:" + port
		c.FrameAncestors = []string{"http://127.0.0.1:" + port, "http://" + insecureHost + ":" + port}
	})
	insecure := strings.Replace(e.srv.URL, "127.0.0.1", insecureHost, 1)
	require.NotEqual(t, e.srv.URL, insecure, "the dev server listens on 127.0.0.1")
	e.run(chromedp.Navigate(insecure + "/"))
	e.run(chromedp.WaitVisible(`body[data-ready="true"]`, chromedp.ByQuery), signIn())
	var secure bool
	e.eval(`window.isSecureContext || typeof crypto.subtle !== "undefined"`, &secure)
	require.False(t, secure, "the test needs a page without crypto.subtle")

	// The demo's connect form: the user types and submits.
	status := e.submitConnection(typedLogin, typedPassword)
	require.Contains(t, status, "not served over a secure connection", "the page explains it")
	require.Empty(t, e.net.sent("/api/connections"), "nothing was posted")
	require.Empty(t, e.net.sent(sandbox.KeyPath), "the key was not even fetched")

	// Every sealing call, with a JWK or a handle-less key.
	var codes []string
	e.eval(`(async () => {
		const { load } = await import("/dist/index.js");
		const sb = await load();
		const jwk = {kty: "RSA", kid: "k", e: "AQAB", n: "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw"};
		const codes = [];
		for (const call of [() => sb.importKey(jwk), () => sb.fetchKey("/keys/never"), () => sb.seal("s3cret-canary", jwk),
				() => sb.sealFields({password: "s3cret-canary"}, ["/password"], jwk)]) {
			try { await call(); codes.push("resolved"); } catch (err) { codes.push(err.code + ": " + err.message); }
		}
		return codes;
	})()`, &codes)
	require.Len(t, codes, 4)
	for _, c := range codes {
		require.True(t, strings.HasPrefix(c, "insecure_context: "), c)
		require.Contains(t, c, "serve the page over https")
	}
	e.assertAbsent("network traffic", e.sentTraffic(), typedLogin, typedPassword, typedPasswordStem, "s3cret-canary")
	require.Empty(t, e.net.sent("/keys/never"), "fetchKey sent nothing")
}
