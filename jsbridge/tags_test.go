//go:build !js

package jsbridge_test

import (
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

// Only jsbridge and wasm/main.go may import syscall/js.
func TestSyscallJSOnlyInTheBoundary(t *testing.T) {
	root := ".."
	err := filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.IsDir() && (info.Name() == "node_modules" || info.Name() == ".git") {
			return filepath.SkipDir
		}
		if info.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		if strings.HasPrefix(path, filepath.Join("..", "jsbridge")) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), `"syscall/js"`) {
			t.Errorf("%s imports syscall/js; go through jsbridge (safejs) instead", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
