package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/server"
	"github.com/sealbridge/sealbridge/internal/testutil"
)

// env is one test's world: a dev server with its sandbox, a browser tab,
// and everything the tab sent, threw or logged.
type env struct {
	t    *testing.T
	srv  *server.Server
	logs *syncBuffer
	tab  context.Context
	net  *netLog
	mu   sync.Mutex
	errs []string // uncaught exceptions and console errors
	// frames are the secure frame's documents (isolated mode).
	frames frameTabs
	// expectedCSP are violations a test caused on purpose (by blocked URL).
	expectedCSP []string
}

// newEnv starts a dev server (tuned by opts) and opens a tab.
func newEnv(t *testing.T, opts ...func(*server.Config)) *env {
	t.Helper()
	logs := &syncBuffer{}
	cfg := server.Config{
		Addr:    "127.0.0.1:0",
		DistDir: "../dist",
		Logger:  slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := server.Start(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	e := newTab(t)
	e.srv, e.logs = srv, logs
	return e
}

// newTab opens a tab that records what it sends, throws and logs, and
// fails the test on an uncaught exception or a CSP violation.
func newTab(t *testing.T) *env {
	t.Helper()
	tab, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	tab, cancelTimeout := context.WithTimeout(tab, 90*time.Second)
	t.Cleanup(cancelTimeout)
	e := &env{t: t, logs: &syncBuffer{}, tab: tab, net: &netLog{}}
	chromedp.ListenTarget(tab, e.onEvent)
	require.NoError(t, chromedp.Run(tab,
		network.Enable(),
		chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := page.AddScriptToEvaluateOnNewDocument(cspRecorder).Do(ctx)
			return err
		}),
	))
	t.Cleanup(e.assertClean)
	return e
}

// cspRecorder runs before page scripts and records CSP violations.
const cspRecorder = `window.__csp = []; document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));`

func (e *env) onEvent(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		e.mu.Lock()
		e.errs = append(e.errs, "uncaught exception: "+exceptionText(ev.ExceptionDetails))
		e.mu.Unlock()
	case *runtime.EventConsoleAPICalled:
		e.net.console(ev)
	case *network.EventRequestWillBeSent:
		e.net.request(ev)
	}
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d.Exception != nil && d.Exception.Description != "" {
		return d.Exception.Description
	}
	return d.Text
}

// open loads path, waits until the page says the shim is ready, and signs
// in with the page's own button, as a person would (a page load alone makes
// no session).
func (e *env) open(path string) {
	e.t.Helper()
	require.NoError(e.t, chromedp.Run(e.tab,
		chromedp.Navigate(e.srv.URL+path),
		chromedp.WaitVisible(`body[data-ready="true"]`, chromedp.ByQuery),
		signIn(),
	), "page did not become ready or sign in failed; logs:\n%s", e.logs.String())
}

// signIn clicks the page's Sign in button unless the browser is signed in
// already (another tab of it did), and waits until every panel knows.
func signIn() chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var state string
		if err := chromedp.Evaluate(`document.body.dataset.signedIn || ""`, &state).Do(ctx); err != nil {
			return err
		}
		if state == "true" {
			return nil
		}
		if err := chromedp.Click("#signin", chromedp.ByQuery).Do(ctx); err != nil {
			return err
		}
		return chromedp.WaitVisible(`body[data-signed-in="true"]`, chromedp.ByQuery).Do(ctx)
	})
}

// eval runs JS (awaiting a returned promise) and decodes its result.
func (e *env) eval(js string, out any) {
	e.t.Helper()
	require.NoError(e.t, chromedp.Run(e.tab, chromedp.Evaluate(js, out, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
		return p.WithAwaitPromise(true)
	})), "evaluating %s", js)
}

// run runs chromedp actions in the tab.
func (e *env) run(actions ...chromedp.Action) {
	e.t.Helper()
	require.NoError(e.t, chromedp.Run(e.tab, actions...))
}

// assertClean fails the test on any uncaught exception or CSP violation,
// in the page or in the secure frame.
func (e *env) assertClean() {
	var csp []string
	_ = chromedp.Run(e.tab, chromedp.Evaluate(`window.__csp || []`, &csp))
	csp = append(csp, cspViolations(e.tab)...)
	csp = append(csp, e.frameCSP()...)
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, err := range e.errs {
		e.t.Errorf("page error: %s", err)
	}
	for _, v := range csp {
		if !slices.ContainsFunc(e.expectedCSP, func(s string) bool { return strings.Contains(v, s) }) {
			e.t.Errorf("CSP violation: %s", v)
		}
	}
}

// netLog keeps every request the page sent and every console message.
type netLog struct {
	mu       sync.Mutex
	requests []sentRequest
	consoles []string
}

type sentRequest struct {
	Method, URL, Body string
	Headers           map[string]any
}

func (n *netLog) request(ev *network.EventRequestWillBeSent) {
	var body strings.Builder
	for _, entry := range ev.Request.PostDataEntries {
		b, err := base64.StdEncoding.DecodeString(entry.Bytes)
		if err != nil {
			body.WriteString(entry.Bytes)
			continue
		}
		body.Write(b)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.requests = append(n.requests, sentRequest{Method: ev.Request.Method, URL: ev.Request.URL, Body: body.String(), Headers: ev.Request.Headers})
}

func (n *netLog) console(ev *runtime.EventConsoleAPICalled) {
	var parts []string
	for _, a := range ev.Args {
		parts = append(parts, string(a.Value)+a.Description)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.consoles = append(n.consoles, strings.Join(parts, " "))
}

// sent returns the requests so far whose URL contains substr.
func (n *netLog) sent(substr string) []sentRequest {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []sentRequest
	for _, r := range n.requests {
		if strings.Contains(r.URL, substr) {
			out = append(out, r)
		}
	}
	return out
}

type syncBuffer = testutil.Buffer

// fill sets form fields by id, as typing would (input events included).
func (e *env) fill(values map[string]string) {
	e.t.Helper()
	b, err := json.Marshal(values)
	require.NoError(e.t, err)
	var ok bool
	e.eval(`((values) => {
		for (const [id, v] of Object.entries(values)) {
			const el = document.getElementById(id);
			if (!el) throw new Error("no field #" + id);
			el.value = v;
			el.dispatchEvent(new Event("input", { bubbles: true }));
		}
		return true;
	})(`+string(b)+`)`, &ok)
}

// waitStatus polls a panel's status line until it leaves "busy".
func (e *env) waitStatus(id string) string {
	e.t.Helper()
	var status string
	e.run(chromedp.Poll(fmt.Sprintf(`(() => { const s = document.getElementById(%q); return s.textContent && !s.classList.contains("busy") ? s.className + ": " + s.textContent : null })()`, id),
		&status, chromedp.WithPollingTimeout(20*time.Second)))
	return status
}

// waitStatusFor polls a status line until it contains want, or shows an
// error; it returns what it saw.
func (e *env) waitStatusFor(id, want string) string {
	e.t.Helper()
	var status string
	e.run(chromedp.Poll(fmt.Sprintf(`(() => { const s = document.getElementById(%q);
		return s.textContent.includes(%q) || s.classList.contains("error") ? s.className + ": " + s.textContent : null })()`, id, want),
		&status, chromedp.WithPollingTimeout(20*time.Second)))
	return status
}
