package deps

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/sealbridge/sealbridge/"

// rule says what the packages matching pkg may import: module packages
// (relative paths; "x/..." is x and everything below it) and third-party
// modules. The standard library is always allowed, except syscall/js,
// which only safejs may touch (jsbridge wraps safejs). Test files are not
// checked: tests may use any helper.
type rule struct {
	pkg        string
	module     []string
	thirdParty []string
	why        string
}

// shared are neutral leaf packages that both the shim and the servers may
// import (e.g. one strict-JSON reader): standard library only.
var shared = []string{"internal/strictjson", "wire/..."}

// rules is the intended direction, the first match winning. Arrows run from
// the dev server to the shim's pure packages, never back; from everything to
// leaves (sberr, transport, apierr, provider, internal); and from the server
// wiring to the capabilities it mounts.
var rules = []rule{
	{pkg: "jsbridge", module: []string{"wasm/sberr", "wasm/transport"}, thirdParty: []string{"github.com/hack-pad/safejs"},
		why: "the Go<->JS boundary depends on safejs and leaf types only, never on the pipeline it carries"},
	{pkg: "wasm", module: []string{"jsbridge", "wasm/..."}, thirdParty: []string{"github.com/hack-pad/safejs"},
		why: "the shim's main wires the pure packages to jsbridge"},
	{pkg: "wasm/webcrypto", module: []string{"jsbridge", "wasm/seal"},
		why: "the one adapter from jsbridge's WebCrypto to seal.Crypto, shared by the shim's main and the benchmark probe"},
	{pkg: "wasm/sberr", why: "a leaf: the shim's error codes"},
	{pkg: "wasm/transport", why: "a leaf: one HTTP exchange, shared by the pipeline and jsbridge"},
	{pkg: "wasm/...", module: []string{"wasm/..."},
		why: "the shim's pure packages run natively in tests: no jsbridge, no demo, no third-party code in the module"},
	{pkg: "demo/internal/...", thirdParty: []string{"golang.org/x/oauth2"}, why: "leaves of the servers"},
	{pkg: "demo/apierr", module: []string{"demo/internal/..."}, why: "a leaf: the servers' error body and codes"},
	{pkg: "demo/provider", thirdParty: []string{"golang.org/x/oauth2"}, why: "a leaf: the one provider client and token source"},
	{pkg: "demo/session", module: []string{"demo/apierr", "demo/internal/..."}, thirdParty: []string{"github.com/redis/go-redis/v9"},
		why: "browser sessions know nothing of what is stored in them by oauth or checkout"},
	{pkg: "demo/scoped", module: []string{"demo/apierr", "demo/provider", "demo/internal/..."}, thirdParty: []string{"github.com/go-jose/go-jose/v4"},
		why: "scoped tokens are shared by the sandbox (mint side) and the servers (verify side), so they depend on leaves only"},
	{pkg: "demo/sandbox", module: []string{"demo/apierr", "demo/scoped", "demo/internal/...", "internal/strictdecode", "wasm/descriptor", "wasm/sberr"},
		thirdParty: []string{"github.com/go-jose/go-jose/v4", "golang.org/x/oauth2"},
		why:        "the sandbox stands in for a third-party provider: it never imports the dev server's packages"},
	{pkg: "demo/intermediary", module: []string{"demo/apierr", "demo/provider", "demo/internal/...", "wasm/descriptor", "wasm/sberr"},
		why: "integrators mount the intermediary alone: it imports no session, OAuth or server code"},
	{pkg: "demo/oauth", module: []string{"demo/apierr", "demo/provider", "demo/session", "demo/internal/...", "internal/strictdecode"}, thirdParty: []string{"golang.org/x/oauth2"},
		why: "the OAuth flows use sessions and the provider client, not the server wiring"},
	{pkg: "demo/checkout", module: []string{"demo/apierr", "demo/provider", "demo/session", "demo/scoped", "demo/internal/...", "internal/strictdecode"}, thirdParty: []string{"golang.org/x/oauth2"},
		why: "checkout minting uses sessions and the provider client, not the server wiring"},
	{pkg: "demo/web", why: "embedded files"},
	{pkg: "demo/frame/web", why: "embedded files"},
	{pkg: "demo/frame", module: []string{"demo/frame/web"},
		why: "the frame origin holds no secret and trusts only its own configuration: it imports nothing of the dev server"},
	{pkg: "demo/server", module: []string{"demo/...", "internal/sri", "internal/strictdecode"}, thirdParty: []string{"golang.org/x/oauth2", "github.com/redis/go-redis/v9"},
		why: "the wiring imports the capabilities it mounts (and the SRI hashing its page's tags use), never the shim"},
	{pkg: "demo", module: []string{"demo/server"}, why: "the command is a thin main"},
	{pkg: "internal/headless", thirdParty: []string{"github.com/chromedp/chromedp"}, why: "a test helper"},
	{pkg: "internal/cmd/integrity", module: []string{"internal/sri"}, why: "the tool make wasm runs to write dist/integrity.json"},
	{pkg: "internal/strictdecode", module: []string{"internal/strictjson"},
		why: "the servers' struct decoding on top of the strict-JSON reader; built on encoding/json, so the shim never imports it"},
	{pkg: "internal/...", why: "test helpers and shared leaves: standard library only"},
	{pkg: "bench/...", module: []string{"..."}, thirdParty: []string{"..."}, why: "the benchmark harness may use anything"},
	{pkg: "e2e", module: []string{"..."}, thirdParty: []string{"..."}, why: "tests may use anything"},
}

// TestImportDirection fails when a package imports something its rule does
// not allow. If the arrow is intended, add it to rules with the reason.
func TestImportDirection(t *testing.T) {
	graph := listImports(t)
	if len(graph["jsbridge"]) == 0 || len(graph["demo/server"]) == 0 {
		t.Fatalf("the import graph is incomplete (no jsbridge or demo/server imports): %v", graph)
	}
	for _, v := range violations(graph) {
		t.Error(v)
	}
}

// TestViolationsAreFound keeps the check honest: arrows that run the wrong
// way in a made-up graph are reported.
func TestViolationsAreFound(t *testing.T) {
	bad := map[string][]string{
		"jsbridge":          {module + "wasm/client", "github.com/hack-pad/safejs"},
		"wasm/seal":         {module + "demo/apierr", "crypto/rsa"},
		"demo/sandbox":      {module + "demo/session"},
		"demo/intermediary": {module + "demo/oauth"},
		"wasm/client":       {"syscall/js"},
		"demo/new":          {"fmt"},
	}
	got := violations(bad)
	if len(got) != 6 {
		t.Fatalf("want 6 violations, got %d: %q", len(got), got)
	}
	if v := violations(map[string][]string{"jsbridge": {module + "wasm/sberr", "github.com/hack-pad/safejs", "context"}}); len(v) != 0 {
		t.Errorf("allowed arrows reported: %q", v)
	}
}

func violations(graph map[string][]string) []string {
	var out []string
	pkgs := make([]string, 0, len(graph))
	for p := range graph {
		pkgs = append(pkgs, p)
	}
	slices.Sort(pkgs)
	for _, p := range pkgs {
		r, ok := ruleFor(p)
		if !ok {
			out = append(out, p+": no rule says what it may import; add one to rules in internal/deps/deps_test.go")
			continue
		}
		for _, imp := range graph[p] {
			if msg := check(r, imp); msg != "" {
				out = append(out, p+" imports "+imp+": "+msg+" ("+r.pkg+": "+r.why+")")
			}
		}
	}
	return out
}

func check(r rule, imp string) string {
	switch {
	case imp == "syscall/js":
		return "syscall/js is reached only through safejs, inside jsbridge"
	case strings.HasPrefix(imp, module):
		rel := strings.TrimPrefix(imp, module)
		if matchAny(r.module, rel) || (matchAny(shared, rel) && !strings.HasPrefix(r.pkg, "jsbridge")) {
			return ""
		}
		return "not an allowed arrow"
	case !strings.Contains(strings.SplitN(imp, "/", 2)[0], "."):
		return "" // standard library
	case slices.ContainsFunc(r.thirdParty, func(m string) bool { return m == "..." || imp == m || strings.HasPrefix(imp, m+"/") }):
		return ""
	default:
		return "third-party code not allowed here"
	}
}

func ruleFor(pkg string) (rule, bool) {
	for _, r := range rules {
		if match(r.pkg, pkg) {
			return r, true
		}
	}
	return rule{}, false
}

func matchAny(patterns []string, p string) bool {
	return slices.ContainsFunc(patterns, func(pat string) bool { return match(pat, p) })
}

// match reports whether p is pat, or below it when pat ends in "/...";
// "..." alone matches anything.
func match(pat, p string) bool {
	if pat == "..." {
		return true
	}
	if base, ok := strings.CutSuffix(pat, "/..."); ok {
		return p == base || strings.HasPrefix(p, base+"/")
	}
	return p == pat
}

// listImports returns each module package's non-test imports, by path
// relative to the module, listing the js/wasm packages under GOOS=js too
// (the shim's main and jsbridge exist only there).
func listImports(t *testing.T) map[string][]string {
	readSources(t)
	graph := map[string][]string{}
	add := func(env []string, pkgs ...string) {
		args := append([]string{"list", "-e", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`}, pkgs...)
		cmd := exec.Command("go", args...)
		cmd.Dir = "../.."
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go %s: %v", strings.Join(args, " "), err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Fields(line)
			rel := strings.TrimPrefix(strings.TrimPrefix(f[0], module), strings.TrimSuffix(module, "/"))
			if rel == "" {
				rel = "."
			}
			for _, imp := range f[1:] {
				if !slices.Contains(graph[rel], imp) {
					graph[rel] = append(graph[rel], imp)
				}
			}
			if _, ok := graph[rel]; !ok {
				graph[rel] = nil
			}
		}
	}
	add(nil, "./...")
	add([]string{"GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0"}, "./wasm/...", "./jsbridge/...")
	return graph
}

// readSources reads every directory and Go file of the module, and go.mod:
// go test caches a passing result for as long as the files and directories
// a test reads do not change, and without this it would not know that the
// answer of the go list it runs depends on them (a new import, or a new
// package, would pass from the cache).
func readSources(t *testing.T) {
	t.Helper()
	err := filepath.WalkDir("../..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", ".stamps", "node_modules", "dist", "bin", "testdata":
				return filepath.SkipDir
			}
			_, err := os.ReadDir(p)
			return err
		}
		if strings.HasSuffix(p, ".go") || p == filepath.Join("../..", "go.mod") {
			_, err := os.ReadFile(p)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
