// Package readme has no code: its test checks that every Go snippet in the
// README is taken from a runnable example, so that the snippets compile.
package readme
