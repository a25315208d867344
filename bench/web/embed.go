// Package web holds the benchmark pages' scripts, served by bench/cmd/bench
// to headless Chromium.
package web

import "embed"

// Files are the scripts; the HTML is generated per run (it names the
// versioned module URLs).
//
//go:embed *.js
var Files embed.FS
