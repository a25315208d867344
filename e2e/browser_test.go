package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// allocCtx is the one browser process of the suite; each test opens a tab.
var allocCtx context.Context

func TestMain(m *testing.M) {
	chrome, err := chromePath()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	dir, err := os.MkdirTemp("", "sealbridge-e2e-profile-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.UserDataDir(dir),
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
	)
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

func chromePath() (string, error) {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p, nil
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Chromium found: install the Debian package chromium or set CHROME_PATH")
}
