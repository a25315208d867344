package readme

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestEveryErrorCodeIsDocumented fails when a code of the shim (wasm/sberr)
// or of the servers (demo/apierr) is missing from the README's error tables:
// errors are API, and a page branches on codes it can read about.
func TestEveryErrorCodeIsDocumented(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"../../wasm/sberr/sberr.go", "../../demo/apierr/apierr.go"} {
		codes := codeConstants(t, file)
		if len(codes) < 6 {
			t.Fatalf("%s: found only %d codes; the parser no longer sees them", file, len(codes))
		}
		for _, c := range codes {
			if !strings.Contains(string(readme), "`"+c+"`") {
				t.Errorf("%s: code %q is not in the README's error tables", file, c)
			}
		}
	}
}

// codeConstants returns the values of the constants of type Code in file.
func codeConstants(t *testing.T, file string) []string {
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
				continue
			}
			for _, v := range vs.Values {
				if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					out = append(out, s)
				}
			}
		}
	}
	return out
}
