package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"
)

// skimmer is what a compromised script on the host page does, installed
// before any of the page's own scripts run: it listens to every keyboard,
// input and clipboard event, watches the DOM, polls every input's value,
// wraps every way out (fetch, XHR, sendBeacon, WebSocket) and every
// message channel (window and port postMessage, message events, port
// handlers), and keeps trying to read the secure frame's document. It
// writes all it saw to window.__skimmed. It runs on the host's origin
// only: it is the page's script, not the frame's.
const skimmer = `(() => {
	if (location.origin !== HOST_ORIGIN) return;
	const seen = window.__skimmed = [];
	const log = (what, v) => {
		let s;
		try { s = typeof v === "string" ? v : JSON.stringify(v); } catch (e) { s = String(v); }
		seen.push(what + " " + s);
	};
	for (const target of [window, document]) {
		for (const t of ["keydown", "keypress", "keyup", "beforeinput", "input", "change", "paste", "copy", "cut", "focusin", "compositionend", "message"]) {
			target.addEventListener(t, (e) => log("event:" + t, { key: e.key, code: e.code, data: e.data, value: e.target && e.target.value, clip: e.clipboardData && e.clipboardData.getData("text"), msg: e.data }), true);
		}
	}
	new MutationObserver((records) => {
		for (const r of records) log("mutation", { type: r.type, node: r.target.nodeName, html: r.target.outerHTML || r.target.textContent, attr: r.attributeName });
	}).observe(document, { subtree: true, childList: true, attributes: true, characterData: true, attributeOldValue: true, characterDataOldValue: true });
	const values = new Map();
	setInterval(() => {
		for (const el of document.querySelectorAll("input, textarea, select")) {
			if (values.get(el) !== el.value) { values.set(el, el.value); log("poll", el.value); }
		}
		for (const f of document.querySelectorAll("iframe")) {
			try { log("frame-document", f.contentDocument ? f.contentDocument.documentElement.outerHTML : "null"); } catch (e) { log("frame-document-error", e.name); }
			try { log("frame-window", f.contentWindow.document.body.innerHTML); } catch (e) { log("frame-window-error", e.name); }
			try { log("frame-inputs", [...f.contentWindow.document.querySelectorAll("input")].map((i) => i.value)); } catch (e) { log("frame-inputs-error", e.name); }
		}
		for (let i = 0; i < window.frames.length; i++) {
			try { log("frames[i]", window.frames[i].document.documentElement.outerHTML); } catch (e) { log("frames[i]-error", e.name); }
		}
	}, 25);
	const text = (b) => (b instanceof ArrayBuffer || ArrayBuffer.isView(b)) ? new TextDecoder().decode(b) : b;
	const fetch0 = window.fetch;
	window.fetch = function (input, init) { log("fetch", [String(input && input.url || input), text(init && init.body)]); return fetch0.apply(this, arguments); };
	const open0 = XMLHttpRequest.prototype.open, send0 = XMLHttpRequest.prototype.send;
	XMLHttpRequest.prototype.open = function (m, u) { log("xhr-open", [m, String(u)]); return open0.apply(this, arguments); };
	XMLHttpRequest.prototype.send = function (b) { log("xhr-send", b); return send0.apply(this, arguments); };
	const beacon0 = navigator.sendBeacon.bind(navigator);
	navigator.sendBeacon = (u, d) => { log("beacon", [String(u), d]); return beacon0(u, d); };
	const wsSend0 = WebSocket.prototype.send;
	WebSocket.prototype.send = function (d) { log("websocket", d); return wsSend0.apply(this, arguments); };
	const post0 = window.postMessage;
	window.postMessage = function (m) { log("window.postMessage", m); return post0.apply(this, arguments); };
	const portPost0 = MessagePort.prototype.postMessage;
	MessagePort.prototype.postMessage = function (m) { log("port.postMessage", m); return portPost0.apply(this, arguments); };
	const onmessage = Object.getOwnPropertyDescriptor(MessagePort.prototype, "onmessage");
	Object.defineProperty(MessagePort.prototype, "onmessage", {
		configurable: true,
		get() { return onmessage.get.call(this); },
		set(fn) { onmessage.set.call(this, function (e) { log("port.onmessage", e.data); return fn.apply(this, arguments); }); },
	});
	const add0 = MessagePort.prototype.addEventListener;
	MessagePort.prototype.addEventListener = function (t, fn, o) { return add0.call(this, t, function (e) { log("port.listener", e.data); return fn.apply(this, arguments); }, o); };
	const MC = window.MessageChannel;
	window.MessageChannel = function () { const c = new MC(); log("MessageChannel", "created"); return c; };
})();`

// TestFrameSkimmerSeesNoTypedValue types canaries into the secure fields
// of the demo page, with real key events, while a skimmer runs in the
// page; it submits with Enter in the password field. The sandbox decrypts
// exactly what was typed, and the skimmer saw none of it, in any encoding.
func TestFrameSkimmerSeesNoTypedValue(t *testing.T) {
	e := newEnv(t)
	script := strings.Replace(skimmer, "HOST_ORIGIN", jsString(e.srv.URL), 1)
	e.run(chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(script).Do(ctx)
		return err
	}))
	e.open("/")
	login, password := "skim-login-Société-€-canary", "skim-pässwörd-🙂-"+strings.Repeat("canary-", 4)

	// Into the login field from the bank selector, as a keyboard user would.
	e.run(chromedp.Focus("#connector", chromedp.ByQuery))
	e.pressTab(false)
	e.waitFrameFocus("login")
	e.typeKeys(login)
	e.pressTab(false)
	e.waitFrameFocus("password")
	e.typeKeys(password)
	e.run(chromedp.KeyEvent(kb.Enter)) // Enter in the frame submits the host's form
	require.Contains(t, e.waitStatusFor("connect-status", "Bank connected"), "Bank connected", "logs:\n%s", e.logs.String())

	conns := e.srv.Sandbox.Connections()
	require.Len(t, conns, 1)
	require.Equal(t, login, conns[0].Fields["login"], "the sandbox decrypted exactly what was typed")
	require.Equal(t, password, conns[0].Fields["password"])

	time.Sleep(100 * time.Millisecond) // let the skimmer's 25 ms poll run once more after submit
	var skimmed []string
	e.eval(`window.__skimmed`, &skimmed)
	all := strings.Join(skimmed, "\n")
	// The skimmer worked: it saw the host's own keys, the port traffic,
	// and the sealed body on its way out, and failed to read the frame
	// (before navigating, an iframe holds an empty same-origin document,
	// which it may read: that one never has fields).
	for _, want := range []struct{ pattern, why string }{
		{`"key":"Tab"`, "the skimmer hears keys pressed in the host page"},
		{`port\.onmessage \{"type":"state"`, "the skimmer sees the field states the frame sends over the port"},
		{`fetch \["[^"]*/api/connections","\{[^\n]*\\"login\\":\\"ey`, "the skimmer sees the sealed body leave"},
		{`frame-document null`, "the frame's document is null to the host"},
		{`frame-window-error SecurityError`, "reading the frame's document through its window is refused"},
	} {
		if !regexp.MustCompile(want.pattern).MatchString(all) {
			t.Errorf("%s: no line matches %s", want.why, want.pattern)
		}
	}
	for _, line := range skimmed {
		if strings.HasPrefix(line, "frame") && strings.Contains(line, "sb-") {
			t.Errorf("the skimmer read the frame's document: %.200s", line)
		}
	}
	e.assertAbsent("what the skimmer saw", all, login, password)
	e.assertAbsent("network traffic", e.sentTraffic(), login, password)
	e.assertAbsent("page state after submit", e.pageState(), login, password)
	e.assertAbsent("server logs", e.logs.String(), login, password)
}
