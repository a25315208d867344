package readme

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestSecurityTableCitesRealTests fails when docs/security.md cites a test
// that is not where it says (renamed, moved or deleted): the table's claims
// are only as good as the tests behind them.
func TestSecurityTableCitesRealTests(t *testing.T) {
	doc, err := os.ReadFile("../../docs/security.md")
	if err != nil {
		t.Fatal(err)
	}
	cite := regexp.MustCompile("`([\\w./-]+\\.(?:go|js))::(\"?)([^`\"]+)\"?`")
	refs := cite.FindAllStringSubmatch(string(doc), -1)
	if len(refs) < 100 {
		t.Fatalf("found only %d citations; the pattern no longer matches the table", len(refs))
	}
	files := map[string]string{}
	for _, m := range refs {
		path, quoted, name := m[1], m[2] != "", m[3]
		src, ok := files[path]
		if !ok {
			b, err := os.ReadFile("../../" + path)
			if err != nil {
				t.Errorf("docs/security.md cites %s, which does not exist", path)
				files[path] = ""
				continue
			}
			src = string(b)
			files[path] = src
		}
		var want string
		if quoted {
			want = `test("` + name + `"`
		} else {
			want = "func " + name + "("
		}
		if src != "" && !strings.Contains(src, want) {
			t.Errorf("docs/security.md cites %s::%s, which is not in that file", path, name)
		}
	}
}
