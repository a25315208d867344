// Package deps has no code: its test guards the direction of the module's
// import graph (see deps_test.go), so that the shim stays small and pure,
// the Go<->JS boundary knows only leaf types, and the sandbox provider stays
// independent of the dev server it stands in for.
package deps
