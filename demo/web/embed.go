// Package web holds the demo page, embedded into the dev server.
package web

import "embed"

// Files is the demo page and its scripts and styles.
//
//go:embed *.html *.css *.js *.svg
var Files embed.FS
