package e2e

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sealbridge/sealbridge/internal/headless"
)

// allocCtx is the one browser process of the suite; each test opens a tab.
var allocCtx context.Context

func TestMain(m *testing.M) {
	chrome, err := headless.Path()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	dir, err := os.MkdirTemp("", "sealbridge-e2e-profile-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	opts := append(headless.Options(chrome, dir),
		// A name for the loopback server that is no secure context (only
		// https, localhost and loopback addresses are): the page there
		// has no crypto.subtle (TestInsecureContextSendsNothing).
		chromedp.Flag("host-resolver-rules", "MAP "+insecureHost+" 127.0.0.1"))
	ctx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, bcancel := chromedp.NewContext(ctx)
	// Start the browser once, up front, so that the first test's timing is
	// not the browser's start-up.
	if err := chromedp.Run(bctx); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: cannot start Chromium:", err)
		os.Exit(1)
	}
	allocCtx = bctx
	code := m.Run()
	bcancel()
	cancel()
	os.RemoveAll(dir)
	os.Exit(code)
}
