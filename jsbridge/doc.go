//go:build js && wasm

// Package jsbridge is the Go half of the boundary between the shim and
// JavaScript; index.js is the other half. It is the only package that
// touches syscall/js, and it does so through github.com/hack-pad/safejs so
// that a JS exception becomes a Go error instead of a panic.
//
// Three synchronous calls of the split seal skip syscall/js: they are
// memory calls (memcall.go), through the module's own exports with bytes
// in linear memory, since a syscall/js call costs several times as much.
//
// Rules kept here: a js.FuncOf callback never blocks (it only hands a value
// to a buffered channel or starts a goroutine); every export recovers; every
// Func is released once it can no longer be called.
package jsbridge
