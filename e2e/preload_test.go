package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/server"
)

// blockModes are the ways a page can be left without its module: the
// download never ends, it is a 404, or the page's CSP forbids compiling
// WebAssembly (no 'wasm-unsafe-eval').
var blockModes = []string{"hang", "404", "csp"}

// blockModule makes the tab's page lose its module in mode. pageURL is the
// document whose CSP the "csp" mode rewrites. It returns a channel closed
// once the block has taken effect (the module was asked for, or the page
// came with the narrowed CSP).
func blockModule(t *testing.T, e *env, mode, pageURL string) <-chan struct{} {
	t.Helper()
	hit := make(chan struct{})
	var once sync.Once
	pattern := &fetch.RequestPattern{URLPattern: "*sealbridge.wasm*", RequestStage: fetch.RequestStageRequest}
	if mode == "csp" {
		pattern = &fetch.RequestPattern{URLPattern: pageURL, ResourceType: network.ResourceTypeDocument, RequestStage: fetch.RequestStageResponse}
	}
	chromedp.ListenTarget(e.tab, func(ev any) {
		paused, ok := ev.(*fetch.EventRequestPaused)
		if !ok {
			return
		}
		defer once.Do(func() { close(hit) })
		if mode == "hang" {
			return // never continued: the download hangs
		}
		go func() {
			ctx := cdp.WithExecutor(e.tab, chromedp.FromContext(e.tab).Target)
			var err error
			if mode == "404" {
				err = fetch.FulfillRequest(paused.RequestID, http.StatusNotFound).Do(ctx)
			} else {
				var body []byte
				if body, err = fetch.GetResponseBody(paused.RequestID).Do(ctx); err == nil {
					err = fetch.FulfillRequest(paused.RequestID, paused.ResponseStatusCode).
						WithResponseHeaders(withoutWasmEval(paused.ResponseHeaders)).
						WithBody(base64.StdEncoding.EncodeToString(body)).Do(ctx)
				}
			}
			if err != nil && ctx.Err() == nil {
				t.Errorf("blocking the module (%s): %v", mode, err)
			}
		}()
	})
	e.run(fetch.Enable().WithPatterns([]*fetch.RequestPattern{pattern}))
	if mode == "csp" {
		// The only violation expected: the module's compilation.
		e.expectedCSP = append(e.expectedCSP, "wasm-eval")
	}
	return hit
}

// withoutWasmEval drops 'wasm-unsafe-eval' from the page's CSP, a mistake
// an integrator's deployment makes.
func withoutWasmEval(h []*fetch.HeaderEntry) []*fetch.HeaderEntry {
	var out []*fetch.HeaderEntry
	for _, e := range h {
		if strings.EqualFold(e.Name, "Content-Security-Policy") {
			e = &fetch.HeaderEntry{Name: e.Name, Value: strings.ReplaceAll(e.Value, " 'wasm-unsafe-eval'", "")}
		}
		out = append(out, e)
	}
	return out
}

// probeControl is one form control the probe typed into.
type probeControl struct {
	Probe, Kind, Mark string
}

// typeIntoEveryForm finds every form in the page's DOM (so that a new
// form is covered without touching this test), shows it, puts a distinct
// marker in each of its fields and selects, and returns them with the
// forms' submit buttons. Text goes in by real key events where the field
// takes focus, else by setting the value, as autofill would.
func typeIntoEveryForm(t *testing.T, e *env) []probeControl {
	t.Helper()
	var controls []probeControl
	e.eval(`(() => {
		const out = [];
		[...document.forms].forEach((form, i) => {
			for (let el = form; el; el = el.parentElement) el.hidden = false;
			[...form.elements].forEach((el, j) => {
				const probe = "f" + i + "c" + j, mark = "typed" + i + "x" + j + "qz";
				el.dataset.probe = probe;
				if (el instanceof HTMLSelectElement) {
					el.append(new Option(mark, mark));
					out.push({ probe, kind: "select", mark });
				} else if ((el instanceof HTMLButtonElement || el instanceof HTMLInputElement) && el.type === "submit") {
					out.push({ probe, kind: "submit", mark: "" });
				} else if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
					out.push({ probe, kind: "text", mark });
				}
			});
		});
		return out;
	})()`, &controls)
	require.NotEmpty(t, controls, "the page has no form: this test checks nothing")
	for _, c := range controls {
		switch c.Kind {
		case "select":
			onControl(t, e, c, `el.value = mark; el.dispatchEvent(new Event("change", { bubbles: true })); return true`)
		case "text":
			if onControl(t, e, c, `el.focus(); return document.activeElement === el`) {
				e.run(chromedp.KeyEvent(c.Mark), chromedp.KeyEvent(kb.Enter)) // Enter: the browser's implicit submission
				continue
			}
			onControl(t, e, c, `el.value = mark; el.dispatchEvent(new Event("input", { bubbles: true })); return true`)
		}
	}
	return controls
}

// onControl runs js with el (the control) and mark bound, and returns its
// boolean result. A control that is gone means a form submitted natively
// and the page navigated: the test stops there, naming the new URL.
func onControl(t *testing.T, e *env, c probeControl, js string) bool {
	t.Helper()
	var out struct {
		Gone bool
		URL  string
		OK   bool
	}
	e.eval(fmt.Sprintf(`(() => { const el = document.querySelector('[data-probe="%s"]'), mark = %q;
		if (!el) return { gone: true, url: location.href };
		return { ok: ((el, mark) => { %s })(el, mark) };
	})()`, c.Probe, c.Mark, js), &out)
	require.False(t, out.Gone, "a form submitted natively: the page navigated to %s", out.URL)
	return out.OK
}

// submitEveryForm clicks every form's submit button, and presses Enter
// in every field, as a person in a hurry would.
func submitEveryForm(t *testing.T, e *env, controls []probeControl) {
	t.Helper()
	for _, c := range controls {
		switch c.Kind {
		case "submit":
			onControl(t, e, c, `return true`)
			ctx, cancel := context.WithTimeout(e.tab, 3*time.Second)
			err := chromedp.Run(ctx, chromedp.Click(fmt.Sprintf(`[data-probe=%q]`, c.Probe), chromedp.ByQuery, chromedp.NodeVisible))
			cancel()
			require.NoError(t, err, "clicking %s", c.Probe)
		case "text":
			if onControl(t, e, c, `el.focus(); return document.activeElement === el`) {
				e.run(chromedp.KeyEvent(kb.Enter))
			}
		}
	}
	time.Sleep(500 * time.Millisecond) // a native submit would be on its way by now
	for _, c := range controls {
		onControl(t, e, c, `return true`)
	}
}

// assertNothingTypedLeft checks every request the browser made (URL and
// body, from its network events) and what the server recorded: no marker
// anywhere, and no navigation after the first page load.
func assertNothingTypedLeft(t *testing.T, e *env, controls []probeControl, pageURL string, serverSaw []string) {
	t.Helper()
	e.net.mu.Lock()
	requests := append([]sentRequest(nil), e.net.requests...)
	e.net.mu.Unlock()
	documents := 0
	for _, r := range requests {
		if r.URL == pageURL || strings.HasPrefix(r.URL, pageURL+"?") {
			documents++
		}
		for _, c := range controls {
			if c.Mark != "" {
				assert.NotContains(t, r.URL, c.Mark, "a typed value is in a request URL")
				assert.NotContains(t, r.Body, c.Mark, "a typed value is in a request body: %s %s", r.Method, r.URL)
			}
		}
	}
	assert.Equal(t, 1, documents, "the page was loaded once: no form navigated")
	for _, line := range serverSaw {
		for _, c := range controls {
			if c.Mark != "" {
				assert.NotContains(t, line, c.Mark, "the server received a typed value")
			}
		}
	}
	var search string
	e.eval(`location.search`, &search)
	assert.Empty(t, search, "the address bar holds no query")
}

// The demo page without its module: every form on it, typed into and
// submitted, sends nothing typed, and the page says the module is not
// ready. The server's own request log (path and method) shows no second
// page load and no form post either.
func TestPreloadDemoFormsSendNothing(t *testing.T) {
	for _, mode := range blockModes {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t)
			pageURL := e.srv.URL + "/"
			hit := blockModule(t, e, mode, pageURL)
			e.run(chromedp.Navigate(pageURL), chromedp.WaitVisible(`body[data-signed-in]`, chromedp.ByQuery))
			<-hit
			if mode != "hang" {
				e.run(chromedp.WaitVisible(`#runtime.failed`, chromedp.ByQuery))
			}
			controls := typeIntoEveryForm(t, e)
			submitEveryForm(t, e, controls)

			var runtimeText string
			e.run(chromedp.Text("#runtime", &runtimeText, chromedp.ByQuery))
			assert.Contains(t, runtimeText, "not ready")
			var ready string
			e.eval(`document.body.dataset.ready || ""`, &ready)
			assert.Empty(t, ready)
			assertNothingTypedLeft(t, e, controls, pageURL, nil)
			pageLoads, posts := 0, 0
			for _, l := range jsonLines(e.logs.String()) {
				if l["msg"] == "request" && l["path"] == "/" {
					pageLoads++
				}
				if l["msg"] == "request" && l["method"] != "GET" {
					posts++
				}
			}
			assert.Equal(t, 1, pageLoads, "the server saw one page load")
			assert.Zero(t, posts, "the server saw no form post")
		})
	}
}

// The README's minimal page, served as the README says (its html and js
// snippets, the CSP it asks for, the built shim), without its module:
// the same probe finds nothing typed in any request, in the browser or at
// the server, and the form stays disabled. Unblocked, the form is enabled,
// so the probe would see a form that could submit.
func TestPreloadReadmePageSendsNothing(t *testing.T) {
	html, js := readmeMinimalPage(t)
	for _, mode := range append([]string{"not blocked"}, blockModes...) {
		t.Run(mode, func(t *testing.T) {
			e := newTab(t)
			site, saw := serveReadmePage(t, html, js)
			pageURL := site + "/"
			hit := make(<-chan struct{})
			if mode != "not blocked" {
				hit = blockModule(t, e, mode, pageURL)
			}
			e.run(chromedp.Navigate(pageURL), chromedp.WaitVisible(`#connect`, chromedp.ByQuery))
			if mode == "not blocked" {
				ctx, cancel := context.WithTimeout(e.tab, 20*time.Second)
				defer cancel()
				require.NoError(t, chromedp.Run(ctx, chromedp.WaitEnabled(`#connect fieldset`, chromedp.ByQuery)), "the README's page never enabled its form")
				return
			}
			<-hit
			time.Sleep(500 * time.Millisecond) // load() has failed or still hangs
			controls := typeIntoEveryForm(t, e)
			submitEveryForm(t, e, controls)
			var disabled bool
			e.eval(`document.querySelector("#connect fieldset").disabled`, &disabled)
			assert.True(t, disabled, "the form stays disabled without its module")
			assertNothingTypedLeft(t, e, controls, pageURL, saw())
			forgiveModuleFailure(e, mode)
		})
	}
}

// forgiveModuleFailure drops the one uncaught error the README page is
// expected to throw: its top-level `await load()` rejects.
func forgiveModuleFailure(e *env, mode string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var rest []string
	for _, err := range e.errs {
		if mode != "hang" && strings.Contains(err, "SealbridgeError") && strings.Contains(err, "connect.js") {
			continue
		}
		rest = append(rest, err)
	}
	e.errs = rest
}

var fenced = regexp.MustCompile("(?s)```(html|js)\n(.*?)```")

// readmeMinimalPage returns the html and js snippets of the README's "A
// minimal page".
func readmeMinimalPage(t *testing.T) (html, js string) {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(b), "## A minimal page\n")
	require.True(t, ok, "the README has no minimal page")
	section, _, _ = strings.Cut(section, "\n## ")
	for _, m := range fenced.FindAllStringSubmatch(section, -1) {
		switch {
		case m[1] == "html" && html == "":
			html = m[2]
		case m[1] == "js" && js == "":
			js = m[2]
		}
	}
	require.NotEmpty(t, html)
	require.NotEmpty(t, js)
	return html, js
}

// serveReadmePage serves the README's page with the CSP it asks for and
// the built shim, and records every request it receives (URL and body).
func serveReadmePage(t *testing.T, html, js string) (string, func() []string) {
	var mu sync.Mutex
	var saw []string
	mux := http.NewServeMux()
	mux.Handle("GET /dist/", http.StripPrefix("/dist/", server.NewAssets("../dist")))
	mux.HandleFunc("GET /connect.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		_, _ = io.WriteString(w, js)
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", cspAllowsWasm)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!doctype html><html><head><title>minimal</title></head><body>\n"+html+"</body></html>")
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		saw = append(saw, r.Method+" "+r.URL.String()+" "+string(body))
		mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), saw...)
	}
}

// jsonLines decodes each JSON log line; other lines are skipped.
func jsonLines(s string) []map[string]any {
	var out []map[string]any
	for _, line := range strings.Split(s, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}
