// Package web holds the frame page and its scripts, embedded into the
// frame origin's server.
package web

import "embed"

// Files are frame.html (a template: it carries the frame's configuration)
// and the scripts and styles it loads.
//
//go:embed *.html *.css *.js
var Files embed.FS
