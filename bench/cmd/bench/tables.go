package main

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Anchors: figures published for comparable modules (a go-jose JWE module,
// a syscall/js-only module, panva jose in a browser), measured elsewhere on
// other hardware, shown next to this run's for scale only.
var anchorSizes = map[string][3]int64{
	"refjose": {6373763, 1754794, 1303384},
	"hello":   {1925475, 572269, 441625},
}

var anchorStart = map[string][2]float64{"refjose": {321, 268}, "hello": {250, 155}}

// anchorSeal: median, p95, first call (0: not given).
var anchorSeal = map[string][3]float64{
	"sealbridge": {0.40, 0.63, 44},
	"jose":       {0.14, 0.20, 3.9},
	"webcrypto":  {0.14, 0.20, 0},
}

func (r *results) size(name string) moduleSizes {
	for _, s := range r.sizes {
		if s.name == name {
			return s
		}
	}
	return moduleSizes{}
}

func (r *results) sizeTables() []*table {
	ref := r.size("refjose")
	t := &table{title: "Size: bytes on the wire", head: []string{"module", "raw", "gzip -9", "brotli -q 11", "brotli vs go-jose ref", "anchor (raw / gzip / brotli)"}}
	for _, s := range r.sizes {
		anchor := ""
		if a, ok := anchorSizes[s.name]; ok {
			anchor = fmt.Sprintf("%s / %s / %s", bytesN(a[0]), bytesN(a[1]), bytesN(a[2]))
		}
		vs := ratio(float64(s.br), float64(ref.br))
		if s.name == "loader JS" || s.name == framesHost {
			vs = ""
		}
		t.add(s.what, bytesN(s.raw), bytesN(s.gz), bytesN(s.br), vs, anchor)
	}
	t.notes = append(t.notes, "panva jose (anchor, CompactEncrypt + importJWK bundled and minified): 21.4K / 7.6K gzip / 6.9K brotli.")
	tables := []*table{t}
	if len(r.sections) > 0 {
		tables = append(tables, r.sectionTable())
	}
	if len(r.pkgSizes) > 0 {
		tables = append(tables, r.breakdownTable())
	}
	return tables
}

func (r *results) startOf(name string) startSamples {
	for _, s := range r.startup {
		if s.module == name {
			return s
		}
	}
	return startSamples{}
}

func (r *results) startupTables() []*table {
	ref := r.startOf("refjose")
	refCold, refWarm := median(readies(ref.cold)), median(readies(ref.warm))
	t := &table{
		title: fmt.Sprintf("Start-up: navigation start to ready, headless Chromium, median of %d (ms)", len(ref.cold)),
		head:  []string{"module", "cold", "cold range", "warm", "cold vs ref", "warm vs ref", "cold: page / fetch+compile+instantiate / Go start", "wasm transfer (cold)", "anchor cold / warm"},
	}
	for _, m := range r.startup {
		cold, warm := readies(m.cold), readies(m.warm)
		cs := summarize(cold)
		page, compile, goStart := phases(m.cold)
		transfer := "–"
		if len(m.cold) > 0 && m.cold[0].Wasm != nil {
			w := m.cold[0].Wasm
			transfer = fmt.Sprintf("%s (body %s → %s)", bytesN(w.TransferSize), bytesN(w.EncodedBodySize), bytesN(w.DecodedBodySize))
		}
		anchor := ""
		if a, ok := anchorStart[m.module]; ok {
			anchor = fmt.Sprintf("%.0f / %.0f", a[0], a[1])
		}
		t.add(m.module, ms(cs.Median), ms(cs.Min)+"–"+ms(maxOf(cold)), ms(median(warm)),
			ratio(cs.Median, refCold), ratio(median(warm), refWarm),
			fmt.Sprintf("%s / %s / %s", ms(page), ms(compile), ms(goStart)), transfer, anchor)
	}
	t.notes = append(t.notes,
		"Cold: a new browser context (empty HTTP cache, no compiled code) per run; warm: the same page loaded again in that context. "+
			"Modules take turns run by run. Each page preloads its module under a versioned URL and starts it with instantiateStreaming, "+
			"Sealbridge through dist/index.js, the others through an equivalent loader (bench/web/goload.js); all are served by demo/server's Assets "+
			fmt.Sprintf("(precompressed; Chromium sent `Accept-Encoding: %s`).", r.accept),
		"Phases: page = navigation start to the module's instantiateStreaming call; fetch+compile+instantiate = until it resolves (the download started earlier, at the preload); Go start = from there to the module's ready signal.")
	return []*table{t}
}

func maxOf(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

var libNames = map[string]string{
	"sealbridge": "`sb.seal` (key imported once)",
	"jose":       "panva jose `CompactEncrypt` (pre-imported CryptoKey)",
	"webcrypto":  "raw WebCrypto floor (RSA-OAEP + AES-GCM + compact string)",
}

func (r *results) sealTables() []*table {
	s := r.seal
	floor := summarize(s.calls["webcrypto"])
	t := &table{
		title: fmt.Sprintf("Seal latency: 100-byte value, %d sequential calls per library after warm-up, same page (ms)", len(s.calls["sealbridge"])),
		head:  []string{"library", "median", "p95", "first call", "median vs floor", "anchor median / p95 / first"},
	}
	for _, lib := range sealLibs {
		sm := summarize(s.calls[lib])
		a := anchorSeal[lib]
		first := "–"
		if a[2] > 0 {
			first = ms(a[2])
		}
		t.add(libNames[lib], ms(sm.Median), ms(sm.P95), ms(s.setup.First[lib]), ratio(sm.Median, floor.Median),
			fmt.Sprintf("%s / %s / %s", ms(a[0]), ms(a[1]), first))
	}
	t.notes = append(t.notes, fmt.Sprintf(
		"The page's first WebCrypto calls, before any key import (so that no library pays for the platform's start): digest %s ms, importKey %s ms. One-time costs in this page (a fresh browser context): `load()` %s ms (download, compile, Go start); key import right after `load()`: Sealbridge %s ms the first time (validation, thumbprint, WebCrypto import, and the engine compiling the Go code those run; see the key import table), %s ms for a second key, jose %s ms, WebCrypto %s ms. "+
			"First call = each library's first seal after its key import. Every JWE was decrypted by the Go side with go-jose to check it. "+
			"Timers: the page is cross-origin isolated, so performance.now() has 5 µs resolution (the anchors' 0.14 ms floor was likely read with 100 µs timers).",
		ms(s.setup.WarmDigestMs), ms(s.setup.WarmImportMs), ms(s.setup.LoadMs), ms(s.setup.SbImportMs), ms(s.setup.SbImportAgainMs), ms(s.setup.JoseImportMs), ms(s.setup.WebcryptoImportMs)))

	f := &table{
		title: fmt.Sprintf("sealFields: a connection body, %s sealed, %d calls (ms)", strings.Join(fieldsPointers, " and "), len(s.fields["sealbridge"])),
		head:  []string{"how", "median", "p95", "vs jose"},
	}
	jm := summarize(s.fields["jose"])
	for _, lib := range []string{"sealbridge", "jose"} {
		sm := summarize(s.fields[lib])
		name := "`sb.sealFields(body, pointers, key)`"
		if lib == "jose" {
			name = "jose by hand: structuredClone + one CompactEncrypt per field"
		}
		f.add(name, ms(sm.Median), ms(sm.P95), ratio(sm.Median, jm.Median))
	}
	out := []*table{t}
	if r.probe != nil {
		out = append(out, r.probeTable())
	}
	if r.keys != nil {
		out = append(out, r.keys.table())
	}
	return append(out, f)
}

func (r *results) memoryTables() []*table {
	t := &table{title: "Memory: the module's linear memory while sealing", head: []string{"after", "linear memory", "growth since 100 seals"}}
	t.add("load + key import + 1 seal", mib(r.memStart), "")
	var at100 int64
	for _, p := range r.memory {
		if p.Seals == 100 {
			at100 = p.Bytes
		}
		growth := ""
		if at100 > 0 {
			growth = mib(p.Bytes - at100)
		}
		t.add(fmt.Sprintf("%d seals", p.Seals), mib(p.Bytes), growth)
	}
	t.notes = append(t.notes, "WebAssembly memory only grows; a leak shows as growth that keeps going. Anchor: 4.8 MB at ready, 10.2 MB after sealing.")
	return []*table{t}
}

func (r *results) memGrowth() (int64, bool) {
	var first, last int64
	for _, p := range r.memory {
		if p.Seals == 100 {
			first = p.Bytes
		}
		last = p.Bytes
	}
	return last - first, first > 0
}

func (r *results) stormTables() []*table {
	s := r.storm
	t := &table{title: "Renewal storm: concurrent calls on an expired token, direct mode, demo page + sandbox", head: []string{"calls", "onAccessTokenExpired calls", "succeeded", "payments the sandbox recorded", "total (ms)", "per call (ms)"}}
	t.add(fmt.Sprint(s.N), fmt.Sprint(s.Calls), fmt.Sprint(s.OK), fmt.Sprint(s.Payments), ms(s.Ms), ms(s.Ms/float64(max(1, s.N))))
	if len(s.Codes) > 0 {
		t.notes = append(t.notes, fmt.Sprintf("Failures by code: %v", s.Codes))
	}
	t.notes = append(t.notes, fmt.Sprintf("Total = from firing every call to the last settling; it includes the renewal (a POST to the dev server) and the calls themselves, which Chromium sends over at most 6 connections to the sandbox. "+
		"Checkout tokens live %s here (exp in whole seconds, renewal %s before it): long enough for the renewed token to outlive the storm. A storm that outlasts its token renews again, as it should (with 3 s tokens and 1000 calls, we saw 2 callbacks).", stormTTL, stormSkew))
	return []*table{t}
}

func (r *results) deliveryTables() []*table {
	d := r.delivery
	t := &table{title: "Delivery: the demo page, first visit then second visit (same profile)", head: []string{"visit", "request", "status", "Content-Encoding", "Cache-Control", "bytes on the wire"}}
	for i, v := range d.visits {
		name := []string{"first", "second"}[min(i, 1)]
		if len(v) == 0 {
			t.add(name, "(no request: served from cache without revalidation)", "", "", "", "0")
		}
		for _, f := range v {
			src := ""
			if f.fromCache {
				src = " (disk cache)"
			}
			t.add(name, "`"+f.url+"`", f.status+src, f.encoding, f.cache, bytesN(int64(f.transfer)))
		}
	}
	t.notes = append(t.notes, fmt.Sprintf("Chromium sent `Accept-Encoding: %s`.", d.accept))
	if len(d.warnings) == 0 {
		t.notes = append(t.notes, "One request per visit: index.js's fetch reused the `<link rel=preload>`; Chromium logged no preload warning (\"preloaded but not used\", credentials mismatch).")
	} else {
		t.notes = append(t.notes, "Chromium's preload messages: "+strings.Join(d.warnings, " | "))
	}
	return []*table{t}
}

// budgetTable gives every budget its verdict from this run (or from the
// recorded `make test` timings, which a benchmark run cannot take).
func (r *results) budgetTable() *table {
	t := &table{title: "Budgets", head: []string{"budget", "limit", "this run", "verdict"}}
	bs := r.sizeBudgets()
	bs = append(bs, r.sealBudgets()...)
	bs = append(bs, r.proxyBudgets()...)
	if s := r.storm; s != nil {
		bs = append(bs, budget{"renewal storm", "exactly 1 callback", fmt.Sprintf("%d callback(s) for %d calls", s.Calls, s.N), s.Calls == 1, true})
	} else {
		bs = append(bs, budget{what: "renewal storm", limit: "exactly 1 callback"})
	}
	if f := r.size(framesHost); f.br > 0 {
		bs = append(bs, budget{"frames host script, brotli", "≤ 10 KB", bytesN(f.br) + " B", f.br <= 10_000, true})
	} else {
		bs = append(bs, budget{what: "frames host script, brotli", limit: "≤ 10 KB"})
	}
	if g, ok := r.memGrowth(); ok {
		bs = append(bs, budget{"memory growth, 100 → 10,000 seals", "≤ 1 MiB", mib(g), g <= 1<<20, true})
	} else {
		bs = append(bs, budget{what: "memory growth", limit: "≤ 1 MiB"})
	}
	bs = append(bs, r.testBudgets()...)
	for _, b := range bs {
		t.add(b.what, b.limit, b.measured, verdict(b))
	}
	return t
}

func (r *results) sizeBudgets() []budget {
	var bs []budget
	if sb, ref := r.size("sealbridge"), r.size("refjose"); sb.br > 0 && ref.br > 0 {
		x := float64(sb.br) / float64(ref.br)
		bs = append(bs, budget{"wasm, brotli", "≤ 0.65 × go-jose reference", fmt.Sprintf("%.2f× (%s vs %s)", x, bytesN(sb.br), bytesN(ref.br)), x <= 0.65, true})
	}
	if sb, ref := r.startOf("sealbridge"), r.startOf("refjose"); len(sb.cold) > 0 {
		a, b := median(readies(sb.cold)), median(readies(ref.cold))
		bs = append(bs, budget{"cold ready", "≤ 0.85 × reference", fmt.Sprintf("%.2f× (%s vs %s ms)", a/b, ms(a), ms(b)), a <= 0.85*b, true})
	} else {
		bs = append(bs, budget{what: "cold ready", limit: "≤ 0.85 × reference"})
	}
	return bs
}

func (r *results) sealBudgets() []budget {
	if r.seal == nil {
		return []budget{{what: "`sb.seal` median", limit: "≤ 1.5 × jose CompactEncrypt"}, {what: "`sb.sealFields` median", limit: "≤ 1.5 × jose by hand"}, {what: "key import (validation, thumbprint, WebCrypto import), after the warm-up", limit: "≤ 10 ms"}}
	}
	a, j := median(r.seal.calls["sealbridge"]), median(r.seal.calls["jose"])
	fa, fj := median(r.seal.fields["sealbridge"]), median(r.seal.fields["jose"])
	imp := -1.0
	if r.keys != nil {
		imp = median(importField(r.keys.afterWarmUp, func(k importRun) float64 { return k.ImportMs }))
	}
	return []budget{
		{"`sb.seal` median", "≤ 1.5 × jose CompactEncrypt", fmt.Sprintf("%.2f× (%s vs %s ms)", a/j, ms(a), ms(j)), a <= 1.5*j, true},
		{"`sb.sealFields` median", "≤ 1.5 × jose by hand", fmt.Sprintf("%.2f× (%s vs %s ms)", fa/fj, ms(fa), ms(fj)), fa <= 1.5*fj, true},
		{"key import (validation, thumbprint, WebCrypto import), after the warm-up", "≤ 10 ms", ms(imp) + " ms", imp >= 0 && imp <= 10, imp >= 0},
	}
}

func (r *results) proxyBudgets() []budget {
	p := r.proxy
	if p == nil {
		return []budget{{what: "intermediary throughput, 10 ms provider, 32 clients", limit: "≥ 0.95 × direct"}, {what: "intermediary added p50, 10 ms provider", limit: "≤ 0.5 ms"}}
	}
	x := p.viaSlow.rps / p.directSlow.rps
	added := p.viaSlow.lat.Median - p.directSlow.lat.Median
	return []budget{
		{fmt.Sprintf("intermediary throughput, %s provider, %d clients", providerDelay, p.clients), "≥ 0.95 × direct", fmt.Sprintf("%.2f× (%.0f vs %.0f req/s)", x, p.viaSlow.rps, p.directSlow.rps), x >= 0.95, true},
		{fmt.Sprintf("intermediary added p50, %s provider", providerDelay), "≤ 0.5 ms", ms(added) + " ms", added <= 0.5, true},
	}
}

//go:embed tried.md
var tried string

func (r *results) markdown(o options) string {
	var b strings.Builder
	m := r.machine
	b.WriteString("# Benchmarks\n\n")
	b.WriteString("<!-- Generated by `make bench` (bench/cmd/bench). Do not edit by hand: run it again. -->\n\n")
	b.WriteString("Sealbridge measured against reference modules built **in the same run**, with anchors (figures published for comparable modules, measured on other hardware) shown for scale. " +
		"This machine is shared and noisy (±30% from run to run): compare the ratios, not the absolute times.\n\n")
	fmt.Fprintf(&b, "- **Date:** %s (run took %.0f s)\n", r.started.UTC().Format("2006-01-02 15:04 MST"), r.took.Seconds())
	fmt.Fprintf(&b, "- **Command:** `make bench` (= `make wasm`, then `go run ./bench/cmd/bench -out %s -runs %d -calls %d -storm %d -clients %d -proxy-duration %s`)\n", o.out, o.runs, o.calls, o.storm, o.clients, o.proxyFor)
	fmt.Fprintf(&b, "- **Machine:** %s, %s cores, %s memory; %s; load average at start %s\n", m.cpu, m.cores, m.memory, m.os, m.load)
	fmt.Fprintf(&b, "- **Software:** %s, %s (headless), Node %s, go-jose %s, panva jose %s, %s\n\n", m.goVersion, m.chromium, m.node, m.goJose, m.jose, m.brotli)

	b.WriteString("## Budgets\n\n")
	bt := r.budgetTable()
	bt.title = ""
	b.WriteString(bt.markdown() + "\n")
	for _, sec := range r.sectionTables() {
		fmt.Fprintf(&b, "## %s\n\n", sec.title)
		for _, t := range sec.ts {
			b.WriteString(t.markdown() + "\n")
		}
	}
	b.WriteString(tried)
	return b.String()
}

type section struct {
	title string
	ts    []*table
}

func (r *results) sectionTables() []section {
	var out []section
	out = append(out, section{"1. Size", r.sizeTables()})
	if r.startup != nil {
		out = append(out, section{"2. Start-up", r.startupTables()})
	}
	if r.seal != nil {
		out = append(out, section{"3. Seal latency", r.sealTables()})
	}
	if r.proxy != nil {
		out = append(out, section{"4. Proxy overhead", r.proxyTables()})
	}
	if r.sessions != nil {
		out = append(out, section{"4b. Session store", r.sessionTables()})
	}
	if r.storm != nil {
		out = append(out, section{"5. Renewal storm", r.stormTables()})
	}
	if r.memory != nil {
		out = append(out, section{"6. Memory", r.memoryTables()})
	}
	if r.delivery != nil {
		out = append(out, section{"7. Delivery", r.deliveryTables()})
	}
	if r.frames != nil {
		out = append(out, section{"8. Isolated mode: mount to a usable field", r.framesTables()})
	}
	return out
}

// testBudgets reports the `make test` timings recorded by `make
// test-times` (docs/test-times.json), with their date and commit.
func (r *results) testBudgets() []budget {
	cold := budget{what: "`make test`, fresh clone, empty Go build cache", limit: "≤ 360 s"}
	warm := budget{what: "`make test` again, nothing changed", limit: "≤ 20 s"}
	b, err := os.ReadFile(filepath.Join(r.root, "docs", "test-times.json"))
	if err != nil {
		return []budget{cold, warm}
	}
	var tt struct {
		Date   string  `json:"date"`
		Commit string  `json:"commit"`
		ColdS  float64 `json:"coldSeconds"`
		WarmS  float64 `json:"warmSeconds"`
	}
	if json.Unmarshal(b, &tt) != nil || tt.ColdS == 0 {
		return []budget{cold, warm}
	}
	from := fmt.Sprintf(" (`make test-times`, %s, commit %s)", tt.Date, tt.Commit)
	cold.measured, cold.met, cold.known = fmt.Sprintf("%.0f s", tt.ColdS)+from, tt.ColdS <= 360, true
	warm.measured, warm.met, warm.known = fmt.Sprintf("%.1f s", tt.WarmS)+from, tt.WarmS <= 20, true
	return []budget{cold, warm}
}
