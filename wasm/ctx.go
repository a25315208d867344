//go:build js && wasm

package main

import "context"

// ctx is the base context of every export; each call adds its own deadline.
func ctx() context.Context { return context.Background() }
