package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/sealbridge/sealbridge/internal/headless"
)

// chrome is one headless Chromium with a fresh profile, for the whole run.
type chrome struct {
	ctx     context.Context // the browser; tabs are children of it
	version string
	cancel  func()
}

// startChrome starts Chromium with the flags the e2e tests use (as root:
// no sandbox) and a profile directory of its own, removed at the end.
func startChrome(parent context.Context) (*chrome, error) {
	path, err := headless.Path()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "sealbridge-bench-profile-")
	if err != nil {
		return nil, err
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(parent, headless.Options(path, dir)...)
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	c := &chrome{ctx: bctx, cancel: func() {
		cancelBrowser()
		cancelAlloc()
		os.RemoveAll(dir)
	}}
	var product string
	if err := chromedp.Run(bctx, chromedp.ActionFunc(func(ctx context.Context) error {
		_, product, _, _, _, err = browser.GetVersion().Do(ctx)
		return err
	})); err != nil {
		c.cancel()
		return nil, fmt.Errorf("cannot start Chromium (%s): %w", path, err)
	}
	c.version = product
	return c, nil
}

// tab opens a tab in a new browser context: an empty cache and cookie jar,
// as a first visit has. (chromedp's WithNewBrowserContext creates the tab
// without a window, which headless Chromium 156 refuses: "no browser is
// open"; so the context and its window are made here.)
func (c *chrome) tab(timeout time.Duration) (context.Context, context.CancelFunc, error) {
	var bc cdp.BrowserContextID
	var id target.ID
	err := chromedp.Run(c.ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		exec := cdp.WithExecutor(ctx, chromedp.FromContext(ctx).Browser)
		var err error
		if bc, err = target.CreateBrowserContext().Do(exec); err != nil {
			return err
		}
		id, err = target.CreateTarget("about:blank").WithBrowserContextID(bc).WithNewWindow(true).Do(exec)
		return err
	}))
	if err != nil {
		return nil, nil, fmt.Errorf("new browser context: %w", err)
	}
	tab, cancelTab := chromedp.NewContext(c.ctx, chromedp.WithTargetID(id))
	tctx, cancelTimeout := context.WithTimeout(tab, timeout)
	return tctx, func() {
		cancelTimeout()
		cancelTab()
		_ = chromedp.Run(c.ctx, chromedp.ActionFunc(func(ctx context.Context) error {
			exec := cdp.WithExecutor(ctx, chromedp.FromContext(ctx).Browser)
			return target.DisposeBrowserContext(bc).Do(exec)
		}))
	}, nil
}

// eval runs JS in the tab, awaiting a returned promise, into out.
func eval(ctx context.Context, js string, out any) error {
	return chromedp.Run(ctx, chromedp.Evaluate(js, out, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
		return p.WithAwaitPromise(true)
	}))
}
