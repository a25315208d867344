package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"
)

// waitHostFocus waits until the host page's focused element has id.
func (e *env) waitHostFocus(id string) {
	e.t.Helper()
	var ok bool
	e.run(chromedp.Poll(fmt.Sprintf(`document.activeElement && document.activeElement.id === %q`, id), &ok, chromedp.WithPollingTimeout(5*time.Second)))
}

// waitHostStates waits until the states the host heard match want
// (field -> state -> value), and returns them.
func (e *env) waitHostStates(want map[string]map[string]bool) map[string]map[string]bool {
	e.t.Helper()
	var got map[string]map[string]bool
	require.Eventually(e.t, func() bool {
		got = e.hostStates()
		for f, states := range want {
			for k, v := range states {
				if got[f][k] != v {
					return false
				}
			}
		}
		return true
	}, 5*time.Second, 20*time.Millisecond, "states the host heard: %v", got)
	return got
}

// TestFrameKeyboardOnlyFillAndSubmit fills and submits the demo's bank
// form with the keyboard alone: Tab from the bank selector into the
// secure login, on to the password, out to the host's submit button (and
// Shift+Tab back), Enter. The host hears each field's state on the way.
func TestFrameKeyboardOnlyFillAndSubmit(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	e.waitHostStates(map[string]map[string]bool{"login": {"empty": true, "valid": false}, "password": {"empty": true}})

	e.run(chromedp.Focus("#connector", chromedp.ByQuery))
	e.pressTab(false)
	e.waitFrameFocus("login")
	e.waitHostStates(map[string]map[string]bool{"login": {"focused": true}})
	e.typeKeys("kb-login")
	e.waitHostStates(map[string]map[string]bool{"login": {"empty": false, "valid": true, "focused": true}})
	e.pressTab(false)
	e.waitFrameFocus("password")
	e.typeKeys("kb-secret-€")
	e.waitHostStates(map[string]map[string]bool{"login": {"focused": false}, "password": {"empty": false, "valid": true, "focused": true}})
	e.pressTab(false)
	e.waitHostFocus("connect-submit")
	e.waitHostStates(map[string]map[string]bool{"password": {"focused": false}})
	e.pressTab(true)
	e.waitFrameFocus("password")
	e.pressTab(false)
	e.waitHostFocus("connect-submit")
	e.run(chromedp.KeyEvent(kb.Enter))
	require.Contains(t, e.waitStatusFor("connect-status", "Bank connected"), "Bank connected")

	conns := e.srv.Sandbox.Connections()
	require.Len(t, conns, 1)
	require.Equal(t, "kb-login", conns[0].Fields["login"])
	require.Equal(t, "kb-secret-€", conns[0].Fields["password"])
	e.waitHostStates(map[string]map[string]bool{"login": {"empty": true}, "password": {"empty": true}})
	var sent string
	e.eval(`document.getElementById("sent").hidden ? "" : document.getElementById("sent-body").textContent`, &sent)
	require.Regexp(t, `"password": "ey[^"]+"`, sent, `"What left this page" shows the sealed body`)
}

// TestFrameFieldsBehaveLikeFormFields checks what users expect of a form
// field inside the frame: labels and errors for screen readers, a titled
// iframe, autofill hints inside a form, paste, a height that follows the
// content, focus(name), and a theme limited to validated properties.
func TestFrameFieldsBehaveLikeFormFields(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	var title string
	e.eval(`document.querySelector("#secure-fields iframe").title`, &title)
	require.Equal(t, "Bank login and password (secure fields)", title)

	var fields []map[string]string
	e.evalFrame(`[...document.querySelectorAll("input:not([type=submit])")].map((i) => ({
		name: i.name, label: i.labels[0] && i.labels[0].textContent, autocomplete: i.autocomplete, type: i.type,
		inForm: String(i.form && i.form.id), describedBy: i.getAttribute("aria-describedby"),
		live: document.getElementById(i.getAttribute("aria-describedby")).getAttribute("aria-live"),
	}))`, &fields)
	require.Equal(t, []map[string]string{
		{"name": "login", "label": "Login", "autocomplete": "username", "type": "text", "inForm": "fields", "describedBy": "sb-login-error", "live": "assertive"},
		{"name": "password", "label": "Password", "autocomplete": "current-password", "type": "password", "inForm": "fields", "describedBy": "sb-password-error", "live": "assertive"},
	}, fields)

	var pasteAllowed bool
	e.evalFrame(`(() => { const d = new DataTransfer(); d.setData("text/plain", "x");
		const ev = new ClipboardEvent("paste", { clipboardData: d, bubbles: true, cancelable: true });
		document.getElementById("sb-password").dispatchEvent(ev); return !ev.defaultPrevented; })()`, &pasteAllowed)
	require.True(t, pasteAllowed, "paste is not blocked")

	// Submitting empty fields: the errors appear in the frame, tied to
	// their inputs, the first empty field gets the focus, and the iframe
	// grows to show them.
	var before, after float64
	e.eval(`document.querySelector("#secure-fields iframe").getBoundingClientRect().height`, &before)
	e.run(chromedp.Click("#connect-submit", chromedp.ByID))
	// The frame says what is missing under each field; the page does not
	// repeat it, nor name one field only.
	require.Equal(t, "status error: Fill in the highlighted fields.", e.waitStatus("connect-status"))
	var errs map[string]string
	e.evalFrame(`({ invalid: document.getElementById("sb-login").getAttribute("aria-invalid"),
		text: document.getElementById("sb-login-error").textContent, focused: document.activeElement.id })`, &errs)
	require.Equal(t, map[string]string{"invalid": "true", "text": "Enter your bank login.", "focused": "sb-login"}, errs)
	require.Eventually(t, func() bool {
		e.eval(`document.querySelector("#secure-fields iframe").getBoundingClientRect().height`, &after)
		return after > before
	}, 5*time.Second, 20*time.Millisecond, "the iframe grew with the errors (%v -> %v)", before, after)
	require.Empty(t, e.net.sent("/api/connections"), "nothing was sent")

	e.checkThemeAndFocus()
}

// checkThemeAndFocus mounts a second form on the demo page with a theme:
// anything but the allowlisted properties, or a value that could carry
// CSS of its own, is refused; a valid theme reaches the fields.
func (e *env) checkThemeAndFocus() {
	e.t.Helper()
	var refused map[string]string
	e.eval(`(async () => {
		const { mountSecureForm } = await import("/dist/frames.js");
		const config = await (await fetch("/api/config")).json();
		const box = document.createElement("div");
		box.id = "extra";
		document.querySelector("#connect").append(box);
		const base = { frame: config.frameURL, container: box, provider: config.frameProvider,
			fields: [{ name: "login", label: "Login" }, { name: "password", label: "Password", type: "password" }] };
		const bad = {
			"declaration break": { color: "red; background: url(http://127.0.0.1:9/x)" },
			"attribute selector": { fontFamily: "a} input[value^=a] { background: url(http://127.0.0.1:9/a) } b{" },
			"url": { background: "url(http://127.0.0.1:9/x)" },
			"custom property": { "--sb-accent": "red" },
			"unknown property": { backgroundImage: "none" },
			"expression": { radius: "expression(alert(1))" },
			"not a string": { radius: 8 },
		};
		const out = {};
		for (const [name, theme] of Object.entries(bad)) {
			try { await mountSecureForm({ ...base, theme }); out[name] = "mounted"; } catch (e) { out[name] = e.code; }
		}
		window.__extra = await mountSecureForm({ ...base, theme: { accent: "#c0ffee", radius: "12px", fontFamily: "Georgia, serif" } });
		return out;
	})()`, &refused)
	for name, code := range refused {
		require.Equal(e.t, "invalid_argument", code, name)
	}
	require.Len(e.t, refused, 7)
	var style map[string]string
	e.evalIn("#extra iframe", `(() => { const s = getComputedStyle(document.getElementById("sb-login"));
		return { radius: s.borderTopLeftRadius, font: s.fontFamily }; })()`, &style)
	require.Equal(e.t, map[string]string{"radius": "12px", "font": "Georgia, serif"}, style)

	var ok bool
	e.eval(`window.__extra.focus("password").then(() => true)`, &ok)
	e.waitFocusIn("#extra iframe", "password")
	var code string
	e.eval(`window.__extra.focus("nope").then(() => "focused", (e) => e.code)`, &code)
	require.Equal(e.t, "invalid_argument", code)
	e.eval(`(() => { window.__extra.destroy(); return document.querySelectorAll("#extra iframe").length === 0; })()`, &ok)
	require.True(e.t, ok, "destroy removes the iframe")
	e.eval(`window.__extra.seal({}, { login: "/login" }).then(() => "sealed", (e) => e.code)`, &code)
	require.Equal(e.t, "invalid_argument", code, "a destroyed form seals nothing")
}
