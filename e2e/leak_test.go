package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// forms returns the ways a secret could show up in transit: as is,
// URL-encoded, JSON-escaped, and inside base64 at each of the three byte
// alignments (standard and URL alphabets).
func forms(secret string) []string {
	out := []string{secret, url.QueryEscape(secret), url.PathEscape(secret)}
	if j, err := json.Marshal(secret); err == nil {
		out = append(out, strings.Trim(string(j), `"`))
	}
	for k := 0; k < 3; k++ {
		padded := strings.Repeat("\x00", k) + secret
		first, last := (k+2)/3, (k+len(secret))/3
		if last <= first {
			continue
		}
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			s := enc.EncodeToString([]byte(padded))
			out = append(out, s[first*4:last*4])
		}
	}
	return out
}

// pageState is everything the page can see: the DOM (with form field
// values), both storages, the cookies script can read, and the console.
func (e *env) pageState() string {
	e.t.Helper()
	var state string
	e.eval(`(() => {
		const fields = [...document.querySelectorAll("input, textarea, select")].map((i) => i.value);
		return JSON.stringify({
			html: document.documentElement.outerHTML,
			fields,
			local: {...localStorage},
			session: {...sessionStorage},
			cookie: document.cookie,
		});
	})()`, &state)
	var cookies []*network.Cookie
	e.run(chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		cookies, err = network.GetCookies().Do(ctx)
		return err
	}))
	var b strings.Builder
	b.WriteString(state)
	for _, c := range cookies {
		b.WriteString("\ncookie " + c.Name + "=" + c.Value)
	}
	e.net.mu.Lock()
	b.WriteString("\n" + strings.Join(e.net.consoles, "\n"))
	e.net.mu.Unlock()
	return b.String()
}

// sentTraffic is every request the page sent: URLs, headers and bodies.
func (e *env) sentTraffic() string {
	e.net.mu.Lock()
	defer e.net.mu.Unlock()
	var b strings.Builder
	for _, r := range e.net.requests {
		b.WriteString(r.Method + " " + r.URL + "\n")
		for k, v := range r.Headers {
			if s, ok := v.(string); ok {
				b.WriteString(k + ": " + s + "\n")
			}
		}
		b.WriteString(r.Body + "\n")
	}
	return b.String()
}

// assertAbsent fails when any form of any secret appears in haystack.
func (e *env) assertAbsent(where, haystack string, secrets ...string) {
	e.t.Helper()
	for _, s := range secrets {
		if s == "" {
			e.t.Fatalf("empty canary for %s: the test is broken", where)
		}
		for _, f := range forms(s) {
			if f != "" && strings.Contains(haystack, f) {
				e.t.Errorf("secret %q found in %s (as %q)", s, where, f)
			}
		}
	}
}
