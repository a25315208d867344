package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/server"
)

// newOrigin serves pages on an origin of their own (a fresh loopback
// port): a page that embeds the frame, or another site's page. It also
// serves the host-side module from ../dist, as a host would.
func newOrigin(t *testing.T, pages map[string]string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("GET /dist/", http.StripPrefix("/dist/", http.FileServer(http.Dir("../dist"))))
	for path, html := range pages {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, html)
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

const blankPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>host</title></head><body></body></html>`

// TestFrameCannotBeEmbeddedByThirdOrigin: a page on an origin the frame's
// server does not list tries to mount the secure fields. The browser
// fetches the frame page but refuses to render it (frame-ancestors), so
// its script never runs and the mount gives up with a message that says
// what to configure.
func TestFrameCannotBeEmbeddedByThirdOrigin(t *testing.T) {
	e := newEnv(t)
	third := newOrigin(t, map[string]string{"/": blankPage})
	e.run(chromedp.Navigate(third.URL + "/"))
	var got struct{ Code, Message string }
	e.eval(fmt.Sprintf(`(async () => {
		const { mountSecureForm } = await import("/dist/frames.js");
		try {
			await mountSecureForm({ frame: %q, container: document.body, provider: "sandbox", fields: [{ name: "login", label: "Login" }], timeoutMs: 3000 });
			return { code: "mounted" };
		} catch (e) { return { code: e.code, message: e.message }; }
	})()`, e.srv.FrameURL+server.FramePage), &got)
	require.Equal(t, "timeout", got.Code, got.Message)
	require.Contains(t, got.Message, "SEALBRIDGE_FRAME_ANCESTORS")
	logs := e.logs.String()
	require.Contains(t, logs, `"path":"/frame.html"`, "the browser did ask for the frame page")
	require.NotContains(t, logs, `"path":"/frame/frame.js"`, "but did not render it: its script was never loaded")
	require.Empty(t, e.frameTargets(), "no frame document of the frame origin exists in the page")
}

// evilPage sits on another origin, embedded next to the secure frame: on
// the host's signal it sends the frame a well-formed connect message
// with the right channel id and its own port, and reports whatever it
// hears on that port.
const evilPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>evil</title></head><body><script>
window.addEventListener("message", (ev) => {
	if (!ev.data || ev.data.cmd !== "attack") return;
	const c = new MessageChannel();
	c.port1.onmessage = (m) => parent.postMessage({ evilHeard: m.data }, "*");
	parent.frames[ev.data.index].postMessage({ type: "sealbridge:connect", channel: ev.data.channel, options: ev.data.options }, "*", [c.port2]);
	parent.postMessage({ evilSent: true }, "*");
});
</script></body></html>`

// strayConnectsJS runs in the host page: it embeds the evil page and the
// frame (by hand, with a known channel id), has the evil page send its
// connect, sends the parent's wrong ones, then the real one, and reports
// what every port heard.
const strayConnectsJS = `(async () => {
		const FRAME = %q, EVIL = %q, frameOrigin = new URL(FRAME).origin;
		const heard = [];
		const onMessage = (pred) => new Promise((resolve) => window.addEventListener("message", (ev) => { if (pred(ev)) resolve(ev.data); }));
		window.addEventListener("message", (ev) => { if (ev.data && ev.data.evilHeard) heard.push("evil: " + JSON.stringify(ev.data.evilHeard)); });
		const evil = document.createElement("iframe");
		evil.src = EVIL;
		const evilLoaded = new Promise((r) => (evil.onload = r));
		document.body.append(evil);
		await evilLoaded;

		const channel = "0123456789abcdef0123456789abcdef";
		const f = document.createElement("iframe");
		f.src = FRAME + "#" + new URLSearchParams({ parent: location.origin, channel });
		const ready = onMessage((ev) => ev.source === f.contentWindow && ev.data && ev.data.type === "sealbridge:ready");
		document.body.append(f);
		const readyMsg = await ready;
		const options = { provider: "sandbox", fields: [{ name: "login", label: "Login" }] };

		// Another origin, the right channel id, first in line.
		const evilSent = onMessage((ev) => ev.data && ev.data.evilSent);
		evil.contentWindow.postMessage({ cmd: "attack", index: 1, channel, options }, "*");
		await evilSent;
		// The parent, but not the agreed message.
		const bad = [
			{ type: "sealbridge:connect", channel: "f".repeat(32), options },
			{ type: "sealbridge:connect", options },
			{ type: "sealbridge:connect", channel: channel.toUpperCase(), options },
			{ type: "sealbridge:hello", channel, options },
			"sealbridge:connect",
			{ id: 1, op: "seal", template: {}, pointers: { login: "/login" } },
		];
		bad.forEach((m, i) => {
			const c = new MessageChannel();
			c.port1.onmessage = (ev) => heard.push("bad " + i + ": " + JSON.stringify(ev.data));
			f.contentWindow.postMessage(m, frameOrigin, [c.port2]);
		});
		f.contentWindow.postMessage({ type: "sealbridge:connect", channel, options }, frameOrigin); // no port

		// The real one; then a round trip on its port, after which every
		// earlier message has been handled.
		const good = new MessageChannel();
		const next = () => new Promise((r) => (good.port1.onmessage = (ev) => r(ev.data)));
		let reply = next();
		f.contentWindow.postMessage({ type: "sealbridge:connect", channel, options }, frameOrigin, [good.port2]);
		// A frame that took another connect first never answers this one.
		const first = await Promise.race([reply, new Promise((r) => setTimeout(() => r({ type: "no answer" }), 5000))]);
		if (first.type !== "mounted") return { ready: readyMsg.channel, first: first.type, second: "", heard };
		const late = new MessageChannel();
		late.port1.onmessage = (ev) => heard.push("late: " + JSON.stringify(ev.data));
		f.contentWindow.postMessage({ type: "sealbridge:connect", channel, options }, frameOrigin, [late.port2]);
		reply = next();
		good.port1.postMessage({ id: 7, op: "clear" });
		let second = await reply;
		while (second.type !== "reply") { reply = next(); second = await reply; }
		return { ready: readyMsg.channel, first: first.type, second: second.type + ":" + second.id + ":" + second.ok, heard };
	})()`

// TestFrameIgnoresMessagesFromOtherOriginsOrWithoutChannel embeds the
// frame by hand, with a channel id the test knows, and sends it connect
// messages it must ignore: from another origin with the right channel id,
// from the parent with a wrong, missing or re-cased id, without a port,
// and a second one after the real connect. None of their ports ever hears
// a word; only the real connect's port does.
func TestFrameIgnoresMessagesFromOtherOriginsOrWithoutChannel(t *testing.T) {
	host := newOrigin(t, map[string]string{"/": blankPage})
	evil := newOrigin(t, map[string]string{"/evil.html": evilPage})
	e := newEnv(t, func(c *server.Config) { c.FrameAncestors = []string{host.URL} })
	e.run(chromedp.Navigate(host.URL + "/"))
	var got struct {
		Ready, First, Second string
		Heard                []string
	}
	e.eval(fmt.Sprintf(strayConnectsJS, e.srv.FrameURL+server.FramePage, evil.URL+"/evil.html"), &got)
	require.Equal(t, "0123456789abcdef0123456789abcdef", got.Ready, "the frame greets its parent with the channel id from its URL")
	require.Equal(t, "mounted", got.First, "the real connect mounts the fields")
	require.Equal(t, "reply:7:true", got.Second, "the real port works")
	require.Empty(t, got.Heard, "every other connect was ignored")
}

// refusedMountsJS tries to mount the secure form with a provider the frame
// server does not configure, and with keys from the host page (%s: a JWK,
// %q: a key URL); each attempt's error code goes into the result.
const refusedMountsJS = `(async () => {
		const { mountSecureForm } = await import("/dist/frames.js");
		const config = await (await fetch("/api/config")).json();
		const box = document.createElement("div");
		box.id = "extra";
		document.querySelector("main").append(box);
		const fields = [{ name: "login", label: "Login" }, { name: "password", label: "Password", type: "password" }];
		const out = {};
		const attempt = async (name, opts) => {
			try { await mountSecureForm({ frame: config.frameURL, container: box, fields, ...opts }); out[name] = "mounted"; }
			catch (e) { out[name] = e.code; }
		};
		const jwk = %s, url = %q;
		await attempt("unconfigured provider", { provider: "attacker" });
		await attempt("inherited name", { provider: "__proto__" });
		await attempt("no provider", {});
		await attempt("host JWK", { provider: "sandbox", key: jwk });
		await attempt("host JWKS", { provider: "sandbox", jwks: { keys: [jwk] } });
		await attempt("host key URL", { provider: "sandbox", keyURL: url });
		await attempt("host pin", { provider: "sandbox", pin: "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" });
		out.iframesLeft = String(box.querySelectorAll("iframe").length);
		window.__extra = await mountSecureForm({ frame: config.frameURL, container: box, fields, provider: "sandbox" });
		return out;
	})()`

// TestFrameRefusesUnconfiguredProviderAndHostKeys: the demo page (a
// trusted ancestor) names a provider the frame's server does not list, or
// brings a key of its own in any form. Each gets key_not_allowed, no key
// is fetched, nothing is sealed; the configured provider still works.
func TestFrameRefusesUnconfiguredProviderAndHostKeys(t *testing.T) {
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the attacker's key endpoint was called: %s", r.URL)
	}))
	t.Cleanup(attacker.Close)
	e := newEnv(t)
	e.open("/")
	jwk := `{"kty":"RSA","kid":"attacker","use":"enc","alg":"RSA-OAEP-256","e":"AQAB","n":"` + strings.Repeat("A", 342) + `"}`
	var got map[string]string
	e.eval(fmt.Sprintf(refusedMountsJS, jwk, attacker.URL+"/key"), &got)
	for _, name := range []string{"unconfigured provider", "inherited name", "no provider", "host JWK", "host JWKS", "host key URL", "host pin"} {
		require.Equal(t, "key_not_allowed", got[name], name)
	}
	require.Equal(t, "0", got["iframesLeft"], "a refused mount removes its iframe")

	// A mounted form: the page asks it to seal with its own key.
	e.clickIn("#extra iframe", "login")
	e.insertText(typedLogin)
	e.clickIn("#extra iframe", "password")
	e.insertText(typedPassword)
	var seal map[string]string
	e.eval(fmt.Sprintf(`(async () => {
		const out = {};
		for (const [name, opts] of Object.entries({ key: { key: %s }, keyURL: { keyURL: %q }, pin: { pin: "x" } })) {
			try { out[name] = JSON.stringify(await window.__extra.seal({ id_connector: 40 }, { login: "/login", password: "/password" }, opts)); }
			catch (e) { out[name] = e.code; }
		}
		return out;
	})()`, jwk, attacker.URL+"/key"), &seal)
	require.Equal(t, map[string]string{"key": "key_not_allowed", "keyURL": "key_not_allowed", "pin": "key_not_allowed"}, seal)
	require.Zero(t, e.srv.Sandbox.KeyFetches(), "no key was fetched for a refused call")

	var sealed map[string]any
	e.eval(`window.__extra.seal({ id_connector: 40 }, { login: "/login", password: "/password" })`, &sealed)
	require.Regexp(t, `^ey[^.]*\.[^.]+\.[^.]+\.[^.]+\.[^.]+$`, sealed["password"], "the configured provider seals")
	require.Equal(t, float64(40), sealed["id_connector"], "the template comes back around the sealed fields")
	e.assertAbsent("page state", e.pageState(), typedLogin, typedPassword)
}

// TestFrameCSPViolationsAreSeen proves the harness's CSP check can fail:
// a fetch the frame's CSP forbids, and one the page's forbids, are both
// reported. (assertClean then runs on a fresh page.)
func TestFrameCSPViolationsAreSeen(t *testing.T) {
	e := newEnv(t)
	e.expectedCSP = []string{"127.0.0.1:9/forbidden"}
	e.open("/")
	var ignored string
	e.evalFrame(`fetch("http://127.0.0.1:9/forbidden").then(() => "sent", (err) => err.name)`, &ignored)
	e.eval(`fetch("http://127.0.0.1:9/forbidden").then(() => "sent", (err) => err.name)`, &ignored)
	require.Eventually(t, func() bool { return strings.Contains(strings.Join(e.frameCSP(), "\n"), "connect-src") },
		5*time.Second, 50*time.Millisecond, "the frame's violation is seen")
	require.Eventually(t, func() bool { return strings.Contains(strings.Join(cspViolations(e.tab), "\n"), "connect-src") },
		5*time.Second, 50*time.Millisecond, "the page's violation is seen")
}
