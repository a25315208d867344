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

// The codes are API: the page-facing ones (the first const block of
// sberr.go) are exactly the TypeScript union in jsbridge/index.d.ts, and
// every code of either block has a row in the README's error tables.
func TestCodesAgreeWithTypesAndREADME(t *testing.T) {
	page, server := declaredCodes(t)

	dts, err := os.ReadFile("../../jsbridge/index.d.ts")
	require.NoError(t, err)
	union := regexp.MustCompile(`(?s)export type SealbridgeErrorCode =(.*?);`).FindSubmatch(dts)
	require.NotNil(t, union, "index.d.ts has no SealbridgeErrorCode union")
	var typed []string
	for _, m := range regexp.MustCompile(`"([a-z_]+)"`).FindAllSubmatch(union[1], -1) {
		typed = append(typed, string(m[1]))
	}
	slices.Sort(typed)
	require.Equal(t, page, typed, "sberr's page codes and index.d.ts's SealbridgeErrorCode differ")

	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	for _, code := range append(page, server...) {
		row := regexp.MustCompile("(?m)^\\| [^|\\n]*`" + code + "`")
		require.True(t, row.Match(readme), "README's error tables have no row for %s", code)
	}
}

// declaredCodes returns the string values of the constants of sberr.go's
// first const block (page codes) and of the others (server codes), sorted.
func declaredCodes(t *testing.T) (page, server []string) {
	f, err := parser.ParseFile(token.NewFileSet(), "sberr.go", nil, 0)
	require.NoError(t, err)
	blocks := 0
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		blocks++
		for _, spec := range g.Specs {
			for _, v := range spec.(*ast.ValueSpec).Values {
				lit, ok := v.(*ast.BasicLit)
				require.True(t, ok, "a code that is not a string literal")
				s, err := strconv.Unquote(lit.Value)
				require.NoError(t, err)
				if blocks == 1 {
					page = append(page, s)
				} else {
					server = append(server, s)
				}
			}
		}
	}
	slices.Sort(page)
	slices.Sort(server)
	require.NotEmpty(t, page)
	require.NotEmpty(t, server)
	return page, server
}
