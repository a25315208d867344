package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/input"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"
)

// frameTabs are the secure frame's documents: each runs in a process of
// its own (an out-of-process iframe), reached through its own DevTools
// target. A test looks inside the frame as the browser's user would see
// it, which no page script can.
type frameTabs struct {
	byTarget map[target.ID]context.Context
}

// demoFrame is the demo page's secure iframe.
const demoFrame = "#secure-fields iframe"

// frameOf returns a context attached to the document of the iframe that
// selector finds in the page, once that document has mounted its fields.
func (e *env) frameOf(selector string) context.Context {
	e.t.Helper()
	var src string
	e.run(chromedp.Poll(fmt.Sprintf(`document.querySelector(%q)?.src || null`, selector), &src, chromedp.WithPollingTimeout(20*time.Second)))
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for url, ctx := range e.frameTargets() {
			var n int
			if url == src && chromedp.Run(ctx, chromedp.Evaluate(`document.querySelectorAll("#fields input").length`, &n)) == nil && n > 0 {
				return ctx
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.t.Fatalf("the frame of %s did not mount its fields", selector)
	return nil
}

// frameTargets attaches to every live frame document of the frame origin,
// by URL. The contexts are never cancelled on their own: cancelling would
// close the iframe; they end with the tab.
func (e *env) frameTargets() map[string]context.Context {
	infos, err := chromedp.Targets(e.tab)
	if err != nil {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.frames.byTarget == nil {
		e.frames.byTarget = map[target.ID]context.Context{}
	}
	out := map[string]context.Context{}
	for _, ti := range infos {
		if ti.Type != "iframe" || !strings.HasPrefix(ti.URL, e.srv.FrameURL+"/") {
			continue
		}
		ctx, ok := e.frames.byTarget[ti.TargetID]
		if !ok {
			ctx, _ = chromedp.NewContext(e.tab, chromedp.WithTargetID(ti.TargetID))
			e.frames.byTarget[ti.TargetID] = ctx
		}
		out[ti.URL] = ctx
	}
	return out
}

// evalFrame runs JS inside the demo's secure frame (the test's privilege,
// not a page's) and decodes its result.
func (e *env) evalFrame(js string, out any) {
	e.t.Helper()
	e.evalIn(demoFrame, js, out)
}

// evalIn runs JS inside the frame of the iframe that selector finds.
func (e *env) evalIn(selector, js string, out any) {
	e.t.Helper()
	require.NoError(e.t, chromedp.Run(e.frameOf(selector), chromedp.Evaluate(js, out, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
		return p.WithAwaitPromise(true)
	})), "evaluating in the frame: %s", js)
}

// clickSecureField clicks the middle of a secure input of the demo form.
func (e *env) clickSecureField(name string) {
	e.t.Helper()
	e.clickIn(demoFrame, name)
}

// clickIn clicks the middle of a secure input, as a user would: the
// iframe's position in the page plus the input's in the frame, once the
// iframe has taken the height the frame asked for.
func (e *env) clickIn(selector, name string) {
	e.t.Helper()
	var host, inner struct{ X, Y float64 }
	e.run(chromedp.Poll(fmt.Sprintf(`(() => { const f = document.querySelector(%q);
		if (f) f.scrollIntoView({ block: "center" });
		return f && f.style.height ? (() => { const r = f.getBoundingClientRect(); return {X: r.left, Y: r.top} })() : null })()`, selector), &host, chromedp.WithPollingTimeout(10*time.Second)))
	e.evalIn(selector, fmt.Sprintf(`(() => { const r = document.getElementById(%q).getBoundingClientRect(); return {X: r.left + r.width / 2, Y: r.top + r.height / 2} })()`, "sb-"+name), &inner)
	// Right after the iframe grows, the browser may still hit-test the
	// click against its old size (the frame renders in its own process):
	// a click that did not reach the field is repeated, twice at most.
	for attempt := 1; ; attempt++ {
		e.run(chromedp.MouseClickXY(host.X+inner.X, host.Y+inner.Y))
		if attempt == 3 || e.focusedIn(selector, name, 2*time.Second) {
			break
		}
	}
	e.waitFocusIn(selector, name)
}

// focusedIn reports whether the named secure input gets the focus within d.
func (e *env) focusedIn(selector, name string, d time.Duration) bool {
	var focused string
	return chromedp.Run(e.frameOf(selector), chromedp.Poll(fmt.Sprintf(`document.hasFocus() && document.activeElement.id === %q ? "yes" : null`, "sb-"+name),
		&focused, chromedp.WithPollingTimeout(d))) == nil
}

// waitFrameFocus waits until the named demo secure input has the focus.
func (e *env) waitFrameFocus(name string) {
	e.t.Helper()
	e.waitFocusIn(demoFrame, name)
}

func (e *env) waitFocusIn(selector, name string) {
	e.t.Helper()
	var focused string
	err := chromedp.Run(e.frameOf(selector), chromedp.Poll(fmt.Sprintf(`document.hasFocus() && document.activeElement.id === %q ? "yes" : null`, "sb-"+name),
		&focused, chromedp.WithPollingTimeout(5*time.Second)))
	require.NoError(e.t, err, "secure field %s did not get the focus", name)
}

// typeKeys sends real key events (keydown, char, keyup per character) to
// whatever has the focus.
func (e *env) typeKeys(text string) {
	e.t.Helper()
	e.run(chromedp.KeyEvent(text))
}

// insertText types text in one go into the focused field (as an input
// method would): quicker than key events, for tests about something else.
func (e *env) insertText(text string) {
	e.t.Helper()
	e.run(chromedp.ActionFunc(func(ctx context.Context) error { return input.InsertText(text).Do(ctx) }))
}

// pressTab presses Tab (or Shift+Tab).
func (e *env) pressTab(shift bool) {
	e.t.Helper()
	var opts []chromedp.KeyOption
	if shift {
		opts = append(opts, chromedp.KeyModifiers(input.ModifierShift))
	}
	e.run(chromedp.KeyEvent(kb.Tab, opts...))
}

// fillSecure types into the demo's secure fields.
func (e *env) fillSecure(values map[string]string) {
	e.t.Helper()
	for _, name := range []string{"login", "password"} {
		v, ok := values[name]
		if !ok {
			continue
		}
		e.clickSecureField(name)
		e.insertText(v)
	}
}

// cspViolations returns the CSP violations the browser logged in ctx's
// target (the page or a frame): enabling the Log domain replays what it
// collected since the document started, so none is missed.
func cspViolations(ctx context.Context) []string {
	var mu sync.Mutex
	var out []string
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chromedp.ListenTarget(lctx, func(ev any) {
		if le, ok := ev.(*cdplog.EventEntryAdded); ok && strings.Contains(le.Entry.Text, "Content Security Policy") {
			mu.Lock()
			out = append(out, le.Entry.Text)
			mu.Unlock()
		}
	})
	var done bool
	// The evaluation after Enable is a round trip that lets the replayed
	// entries arrive first.
	_ = chromedp.Run(ctx, cdplog.Enable(), chromedp.Evaluate(`true`, &done), cdplog.Disable())
	mu.Lock()
	defer mu.Unlock()
	return append([]string(nil), out...)
}

// frameCSP returns the CSP violations of every frame document.
func (e *env) frameCSP() []string {
	var out []string
	for _, ctx := range e.frameTargets() {
		for _, v := range cspViolations(ctx) {
			out = append(out, "frame: "+v)
		}
	}
	return out
}

// hostStates is what the demo page last heard from the frame.
func (e *env) hostStates() map[string]map[string]bool {
	e.t.Helper()
	var raw string
	e.eval(`document.getElementById("connect-form").dataset.secureStates || "{}"`, &raw)
	out := map[string]map[string]bool{}
	require.NoError(e.t, json.NewDecoder(strings.NewReader(raw)).Decode(&out))
	return out
}
