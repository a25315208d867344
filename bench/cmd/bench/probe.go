package main

import (
	"fmt"
	"time"

	"github.com/chromedp/chromedp"
)

// probeResults split a seal's time: medians, in ms per operation.
type probeResults struct {
	encrypt, sealInGo          float64 // timed inside Go
	await, digest              float64
	calls                      float64 // ten Go → JS calls
	noop, sealAsync            float64 // async calls timed in JS
	noopDeferred, sealDeferred float64 // deferred calls timed in JS
	syncParts, memParts        float64 // a synchronous call into Go, timed in JS
}

const probePage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>probe</title>
<script type="module" src="/bench/probe.js"></script>
</head><body></body></html>
`

// measureProbe runs bench/probe in a fresh page: RSA-OAEP alone, AES-GCM
// alone, a whole JWE in Go, an empty async call and a seal behind an async
// call, each after warm-up.
func measureProbe(c *chrome, s *site, key *benchKey) (*probeResults, error) {
	tab, cancel, err := c.tab(2 * time.Minute)
	if err != nil {
		return nil, err
	}
	defer cancel()
	url, err := s.wasmURL("probe")
	if err != nil {
		return nil, err
	}
	var ok bool
	err = chromedp.Run(tab,
		chromedp.Navigate(s.srv.URL+"/probe"),
		chromedp.Poll(`window.__probeReady === true`, &ok, chromedp.WithPollingTimeout(30*time.Second)),
	)
	if err == nil {
		err = eval(tab, fmt.Sprintf(`probe.setup(%s, %s)`, js(url), js(key.jwk)), &ok)
	}
	if err != nil {
		return nil, fmt.Errorf("probe page: %w", err)
	}
	r := &probeResults{}
	for _, k := range []struct {
		kind string
		out  *float64
	}{{"seal", nil}, {"encrypt", &r.encrypt}, {"seal", &r.sealInGo}, {"await", &r.await}, {"digest", &r.digest}, {"calls", &r.calls}} {
		var v float64
		if err := eval(tab, fmt.Sprintf(`probe.time(%q, 300)`, k.kind), &v); err != nil {
			return nil, err
		}
		if k.out != nil {
			*k.out = v
		}
	}
	for _, k := range []struct {
		name string
		out  *float64
	}{{"noop", &r.noop}, {"sealAsync", &r.sealAsync}, {"noopDeferred", &r.noopDeferred}, {"sealDeferred", &r.sealDeferred}, {"syncParts", &r.syncParts}, {"memParts", &r.memParts}} {
		var warm, v []float64
		if err := eval(tab, fmt.Sprintf(`probe.run(%q, 200)`, k.name), &warm); err != nil {
			return nil, err
		}
		if err := eval(tab, fmt.Sprintf(`probe.run(%q, 300)`, k.name), &v); err != nil {
			return nil, err
		}
		*k.out = median(v)
	}
	return r, nil
}

func (r *results) probeTable() *table {
	p := r.probe
	t := &table{
		title: "Where a seal's time goes (bench/probe, same browser; median ms per operation)",
		head:  []string{"step", "ms", "share of `sb.seal`"},
	}
	total := median(r.seal.calls["sealbridge"])
	share := func(v float64) string { return fmt.Sprintf("%.0f%%", 100*v/total) }
	t.add("WebCrypto driven from Go, as without index.js (jsbridge.RSAOAEPKey.EncryptAsync: about 30 calls into JS, one callback; awaited)", ms(p.encrypt), share(p.encrypt))
	t.add("whole JWE in Go (`seal.Key.Seal`: the above, shape checks, base64url, compact form)", ms(p.sealInGo), share(p.sealInGo))
	t.add("Go awaits an already resolved promise", ms(p.await), share(p.await))
	t.add("Go awaits crypto.subtle.digest of 100 bytes", ms(p.digest), share(p.digest))
	t.add("ten calls from Go to JS (`new Uint8Array(12)` through safejs)", ms(p.calls), share(p.calls))
	t.add("an empty async call JS → Go → Promise (jsbridge)", ms(p.noop), share(p.noop))
	t.add("`seal.Key.Seal` behind that async call", ms(p.sealAsync), share(p.sealAsync))
	t.add("an empty deferred export (jsbridge.Namespace.Deferred, no goroutine)", ms(p.noopDeferred), share(p.noopDeferred))
	t.add("a synchronous call into Go through syscall/js with 300 bytes, returning a JWE-sized string (how the split seal called Go before memory calls)", ms(p.syncParts), share(p.syncParts))
	t.add("the same as a memory call: bytes in the module's memory, through its own exports (the split seal's one call, finishSeal, without its checks)", ms(p.memParts), share(p.memParts))
	t.add("`seal.Key.SealAsync` driven from Go behind a deferred export (what `sb.seal` does for a key given as a JWK)", ms(p.sealDeferred), share(p.sealDeferred))
	t.add("`sb.seal` with a key handle: the split seal (seal.js does the WebCrypto steps, then one synchronous call into Go checks the output and writes the JWE)", ms(total), "100%")
	t.add("raw WebCrypto floor, whole JWE", ms(median(r.seal.calls["webcrypto"])), share(median(r.seal.calls["webcrypto"])))
	return t
}
