package readme

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var goBlock = regexp.MustCompile("(?s)```go\n(.*?)```")

// TestGoSnippetsComeFromExamples fails when a line of a README Go snippet
// appears in no example_test.go: the snippet has drifted from code that
// `go test -run Example ./...` compiles and runs.
func TestGoSnippetsComeFromExamples(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	examples := exampleLines(t)
	blocks := goBlock.FindAllStringSubmatch(string(readme), -1)
	if len(blocks) == 0 {
		t.Fatal("the README has no Go snippet: this test checks nothing")
	}
	for _, b := range blocks {
		for _, line := range strings.Split(b[1], "\n") {
			if l := normalise(line); l != "" && !examples[l] {
				t.Errorf("README Go line is in no example_test.go: %q", strings.TrimSpace(line))
			}
		}
	}
}

// exampleLines is the set of normalised lines of every example_test.go in
// the module.
func exampleLines(t *testing.T) map[string]bool {
	lines := map[string]bool{}
	err := filepath.WalkDir("../..", func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "dist" || strings.HasPrefix(d.Name(), ".")) && p != "../.." {
			return filepath.SkipDir
		}
		if d.Name() != "example_test.go" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, l := range strings.Split(string(b), "\n") {
			lines[normalise(l)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) == 0 {
		t.Fatal("no example_test.go found")
	}
	return lines
}

// normalise drops indentation and collapses runs of spaces, so that gofmt's
// alignment and the README's four-space indent compare equal.
func normalise(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
