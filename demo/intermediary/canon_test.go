package intermediary

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/wasm/descriptor"
)

func TestCanonicalTargetNormalises(t *testing.T) {
	for _, tc := range []struct{ in, path, query string }{
		{"/v2/organization", "/v2/organization", ""},
		{"/v2/organization/", "/v2/organization/", ""},
		{"/v2/organization?", "/v2/organization", ""},
		{"/v2/sepa/beneficiaries?per_page=2&page=1", "/v2/sepa/beneficiaries", "page=1&per_page=2"},
		{"/v2/sepa/beneficiaries?status[]=validated", "/v2/sepa/beneficiaries", "status%5B%5D=validated"},
		{"/v2/sepa/beneficiaries?q=a+b&q=%63", "/v2/sepa/beneficiaries", "q=a+b&q=c"},
		{"/v2/sepa/beneficiaries/%61%62%2D%5f%7E1", "/v2/sepa/beneficiaries/ab-_~1", ""},
		{"/v2/x/%c3%a9", "/v2/x/%C3%A9", ""},
		{"/v2/x/é", "/v2/x/%C3%A9", ""},
		{"/v2/x/%20y", "/v2/x/%20y", ""},
		{"/v2/x/a:b,c=d", "/v2/x/a:b,c=d", ""},
		{"/", "/", ""},
	} {
		p, q, err := canonicalTarget(tc.in)
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.path, p, tc.in)
		require.Equal(t, tc.query, q, tc.in)
		// A canonical target is a fixpoint.
		target := p
		if q != "" {
			target += "?" + q
		}
		p2, q2, err := canonicalTarget(target)
		require.NoError(t, err)
		require.Equal(t, [2]string{p, q}, [2]string{p2, q2})
	}
}

// hostileTargets is an openredirects-style corpus (after oauth2-proxy's
// testdata) adapted to descriptor paths: other hosts, traversal in every
// encoding, separators and controls that parsers disagree on.
var hostileTargets = []string{
	"", "evil", "evil.example/x", "http://evil/x", "https://evil.example", "HTTP://evil", "javascript:alert(1)",
	"//evil", "//evil.example/v2/organization", "///evil", "/\\evil", "/\\/evil", "\\\\evil", "/%5cevil", "/%2f/evil",
	"/%2e%2e/admin", "/v2/%2e%2e/admin", "/v2/%2E%2E/admin", "/v2/.%2e/admin", "/v2/%2e./admin", "/v2/%2e",
	"/v2/%252e%252e/", "/v2/%252e%252e/admin", "/v2/%25252e/", "/v2/%25", "/v2/%c0%ae%c0%ae/admin", "/v2/%e0%80%ae/",
	"/v2/sepa/beneficiaries/..", "/v2/sepa/beneficiaries/../../admin", "/v2/../v2/organization", "/..", "/../",
	"/v2/./organization", "/v2/sepa/./beneficiaries", "/v2/organization/.", "/./v2/organization",
	"/v2/\torganization", "/v2/organization\t", "/v2/organization\r\nX-Injected: 1", "/v2/organization\n", "/v2/organization\r",
	"/v2/organization%0d%0aX-Injected:%201", "/v2/organization%0a", "/v2/organization\x00", "/v2/organization%00", "/v2/organization\x7f",
	"/v2/@evil", "/v2/organization@evil.example", "/@evil.example", "/v2/%40evil", "/v2/user:pass@evil",
	"/v2/organization#frag", "/v2/organization#", "/v2/organization?x=1#frag", "/v2/organization%23frag",
	"/v2/organization;jsessionid=1", "/v2/..;/admin", "/v2/organization;", "/v2/organization%3bx",
	"/v2/sepa%2fbeneficiaries", "/v2/sepa%2Fbeneficiaries", "/v2/sepa%5cbeneficiaries", "/v2/sepa%5Cbeneficiaries",
	"/v2//organization", "/v2/organization//", "//", "/v2/sepa//beneficiaries/x",
	"/v2/organization%", "/v2/organization%zz", "/v2/organization%2", "/v2/organization%%32%65",
	"/v2/ organization", "/v2/organization ", "/v2/<script>", "/v2/\"x\"", "/v2/x|y", "/v2/x{y}", "/v2/x^y", "/v2/x`y",
	"/v2/organization/%3f", "/v2/organization?a=%zz", "/v2/organization?a=1;b=2", "/v2/organization?=x",
	"/v2/organization?a=%0d%0a", "/v2/organization?a=%00", "/v2/organization?%ff=1",
	"/v2/organization\xff", "/v2/\xc0\xaeorganization",
}

func TestCanonicalTargetRefusesHostileCorpus(t *testing.T) {
	for _, in := range hostileTargets {
		_, _, err := canonicalTarget(in)
		require.Error(t, err, "%q was accepted", in)
	}
}

// Every hostile target is refused with 400 before any upstream call, even
// when the method and a prefix of the path are allowed.
func TestHostileTargetsNeverReachUpstream(t *testing.T) {
	e := newEnv(t, nil, nil)
	for _, in := range hostileTargets {
		res, b := e.call(t, rawDescriptor("GET", in, nil, ""), nil)
		require.Equal(t, http.StatusBadRequest, res.StatusCode, "%q", in)
		msg := e.requireError(t, res, b, http.StatusBadRequest, "bad_descriptor")
		require.NotContains(t, msg, "\n", "message for %q", in)
	}
	require.Zero(t, e.up.hits.Load(), "a hostile target reached the upstream")
}

func TestCanonicalTargetMessagesSayWhatToFix(t *testing.T) {
	for in, want := range map[string]string{
		"/v2/%252e/":          "double encoding",
		"/v2/%2e%2e/x":        "encoded dot",
		"/v2/a%2fb":           "encoded slash",
		"/v2/..":              `".." segment`,
		"/v2/a\\b":            "backslash",
		"/v2/a@b":             "userinfo",
		"/v2//a":              "empty segment",
		"/v2/a#b":             "fragment",
		"/v2/a?x=%zz":         "query string is malformed",
		"http://evil/v2/x":    "must start with",
		"//evil/v2/x":         "another host",
		"/v2/a;b":             "path parameters",
		"/v2/organization%2":  "two hex digits",
		"/v2/%c0%ae%c0%ae/x":  "not valid UTF-8",
		"/v2/organization\t1": "control character",
	} {
		_, _, err := canonicalTarget(in)
		require.ErrorContains(t, err, want, in)
	}
}

// FuzzCanonicalPath: whatever the full check accepts is canonical (a
// fixpoint), stays on the provider's host, has no dot segment or encoded
// separator, and matches an allowlist rule literally.
func FuzzCanonicalPath(f *testing.F) {
	for _, s := range hostileTargets {
		f.Add(s)
	}
	for _, s := range []string{
		"/v2/organization", "/v2/organization/", "/v2/sepa/beneficiaries?page=2&per_page=10",
		"/v2/sepa/beneficiaries/0e7c6f3a-1b2d-4c5e-8f90-a1b2c3d4e5f6", "/v2/sepa/beneficiaries/%61bc",
		"/v2/sepa/beneficiaries/abc?x=%2e%2e%2f", "/v2/sepa/beneficiaries/a_b?", "/v2/sepa/beneficiaries/é",
	} {
		f.Add(s)
	}
	h, err := newHandler(Config{ProviderURL: "https://provider.test", Token: func(context.Context) (string, error) { return "", nil }})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, in string) {
		for _, method := range []string{"GET", "PATCH"} {
			var o outcome
			out, _, fl := h.check(rawDescriptor(method, in, map[string]string{"authorization": "x", "accept": "y"}, ""), &o)
			if fl != nil {
				if fl.status >= 500 {
					t.Fatalf("%q: status %d", in, fl.status)
				}
				continue
			}
			assertCanonicalOutput(t, h, method, in, dispatchData(t, out))
		}
	})
}

// dispatchData returns the descriptor of a dispatch body, which must be
// exactly {"data":"<descriptor>"}.
func dispatchData(t *testing.T, body []byte) string {
	var in struct {
		Data string `json:"data"`
	}
	require.NoError(t, json.Unmarshal(body, &in))
	require.Equal(t, `{"data":"`+in.Data+`"}`, string(body))
	return in.Data
}

// assertCanonicalOutput checks what check made of the target in: the
// re-encoded descriptor holds only allowed headers, its path is a fixpoint
// of canonicalTarget, stays on the provider's host without userinfo,
// fragment, backslash, encoded slash or dot segment, and every segment
// matches its rule: literals equal, placeholders [A-Za-z0-9_-].
func assertCanonicalOutput(t *testing.T, h *handler, method, in, out string) {
	req, err := descriptor.Decode(out, descriptor.Limits{})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"accept": "y"}, req.Headers)
	p, q, err := canonicalTarget(req.Path)
	require.NoError(t, err, "output %q of %q", req.Path, in)
	target := p
	if q != "" {
		target += "?" + q
	}
	require.Equal(t, target, req.Path, "not a fixpoint for %q", in)

	u, err := url.Parse("https://provider.test" + req.Path)
	require.NoError(t, err)
	require.Equal(t, "provider.test", u.Host)
	require.Empty(t, u.User)
	require.Empty(t, u.Fragment)
	require.Equal(t, p, u.EscapedPath())
	dec, err := url.PathUnescape(p)
	require.NoError(t, err)
	require.NotContains(t, dec, "\\")
	require.Equal(t, strings.Count(p, "/"), strings.Count(dec, "/"), "encoded slash in %q", p)
	cleaned := path.Clean(dec)
	if strings.HasSuffix(dec, "/") && dec != "/" {
		cleaned += "/"
	}
	require.Equal(t, dec, cleaned, "dot segment in %q", p)

	match, _ := lookup(h.rules, method, p)
	require.NotNil(t, match)
	require.Equal(t, method, match.Method)
	// Rebuild the path from the template: literals must be equal,
	// placeholders only [A-Za-z0-9_-].
	segs := strings.Split(p, "/")
	require.Len(t, segs, len(match.segs))
	for i, seg := range match.segs {
		if paramSeg(seg) {
			require.True(t, isParamValue(segs[i]), "segment %q", segs[i])
		} else {
			require.Equal(t, seg, segs[i])
		}
	}
}
