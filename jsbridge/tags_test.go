//go:build !js

package jsbridge_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every Go file of jsbridge is js&&wasm: syscall/js stays in this package
// and only builds for the browser (safejs keeps the same guard).
func TestEveryFileHasTheJSWasmTag(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f == "tags_test.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(b), "//go:build js && wasm\n") {
			t.Errorf("%s lacks //go:build js && wasm", f)
		}
	}
}

// Only jsbridge may import syscall/js. bench/ is exempt: its reference
// modules (hello world, go-jose alone) are what the shim is measured
// against, not product code.
func TestSyscallJSOnlyInTheBoundary(t *testing.T) {
	root := ".."
	fset := token.NewFileSet()
	err := filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.IsDir() {
			switch info.Name() {
			case "node_modules", ".git", "jsbridge", "bench":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			if imp.Path.Value == `"syscall/js"` {
				t.Errorf("%s imports syscall/js; go through jsbridge (safejs) instead", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
