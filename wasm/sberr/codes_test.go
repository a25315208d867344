//go:build !js

package sberr_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// The codes are API: the constants of sberr.go are exactly the TypeScript
// union in jsbridge/index.d.ts, and each has a row in the README's error
// table.
func TestCodesAgreeWithTypesAndREADME(t *testing.T) {
	codes := declaredCodes(t)

	dts, err := os.ReadFile("../../jsbridge/index.d.ts")
	require.NoError(t, err)
	union := regexp.MustCompile(`(?s)export type SealbridgeErrorCode =(.*?);`).FindSubmatch(dts)
	require.NotNil(t, union, "index.d.ts has no SealbridgeErrorCode union")
	var typed []string
	for _, m := range regexp.MustCompile(`"([a-z_]+)"`).FindAllSubmatch(union[1], -1) {
		typed = append(typed, string(m[1]))
	}
	slices.Sort(typed)
	require.Equal(t, codes, typed, "sberr's codes and index.d.ts's SealbridgeErrorCode differ")

	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	for _, code := range codes {
		row := regexp.MustCompile("(?m)^\\| `" + code + "` \\|")
		require.True(t, row.Match(readme), "README's error table has no row for %s", code)
	}
}

// declaredCodes returns the string values of sberr.go's constants, sorted.
func declaredCodes(t *testing.T) []string {
	f, err := parser.ParseFile(token.NewFileSet(), "sberr.go", nil, 0)
	require.NoError(t, err)
	var codes []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			for _, v := range spec.(*ast.ValueSpec).Values {
				lit, ok := v.(*ast.BasicLit)
				require.True(t, ok, "a code that is not a string literal")
				s, err := strconv.Unquote(lit.Value)
				require.NoError(t, err)
				codes = append(codes, s)
			}
		}
	}
	slices.Sort(codes)
	require.NotEmpty(t, codes)
	return codes
}
