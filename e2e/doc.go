// Package e2e holds the browser tests: real headless Chromium (chromedp)
// against the real dev server and sandbox, started in-process on
// 127.0.0.1:0. Chromium comes from CHROME_PATH or /usr/bin/chromium; the
// suite fails (it does not skip) when there is none.
package e2e
