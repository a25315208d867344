package main

import (
	"fmt"
	"time"

	"github.com/chromedp/chromedp"
)

// importRun is one fresh page's key import (bench.importOnce).
// keyImportRuns is how many fresh pages time each kind of key import.
const keyImportRuns = 5

type importRun struct {
	LoadMs             float64 `json:"loadMs"`
	ImportMs           float64 `json:"importMs"`
	AgainMs            float64 `json:"againMs"`
	WarmUpMs           float64 `json:"warmUpMs"`
	WarmUpAfterReadyMs float64 `json:"warmUpAfterReadyMs"`
}

// keyImports are the key import runs, by when the import came.
type keyImports struct {
	atReady, afterWarmUp []importRun
}

// measureKeyImport times a first key import in runs fresh browser
// contexts of each kind, taking turns: right after load() resolves, and
// after the module's warm-up. One import per page, since the first one
// has the engine compile the code any later one reuses.
func measureKeyImport(c *chrome, s *site, key *benchKey, runs int) (*keyImports, error) {
	out := &keyImports{}
	for i := range 2 * runs {
		afterWarmUp := i%2 == 1
		r, err := importOnce(c, s, key, afterWarmUp)
		if err != nil {
			return nil, fmt.Errorf("key import: %w", err)
		}
		if afterWarmUp {
			out.afterWarmUp = append(out.afterWarmUp, r)
		} else {
			out.atReady = append(out.atReady, r)
		}
	}
	return out, nil
}

func importOnce(c *chrome, s *site, key *benchKey, afterWarmUp bool) (importRun, error) {
	var r importRun
	tab, cancel, err := c.tab(time.Minute)
	if err != nil {
		return r, err
	}
	defer cancel()
	var ready bool
	err = chromedp.Run(tab,
		chromedp.Navigate(s.srv.URL+"/seal"),
		chromedp.Poll(`window.__setupReady === true`, &ready, chromedp.WithPollingTimeout(30*time.Second)),
	)
	if err == nil {
		err = eval(tab, fmt.Sprintf(`bench.importOnce(%s, %t)`, js(key.jwk), afterWarmUp), &r)
	}
	return r, err
}

func importField(runs []importRun, f func(importRun) float64) []float64 {
	v := make([]float64, len(runs))
	for i, r := range runs {
		v[i] = f(r)
	}
	return v
}

func (k *keyImports) table() *table {
	t := &table{
		title: fmt.Sprintf("Key import: the first key in a fresh browser context, %d contexts per row (ms)", len(k.atReady)),
		head:  []string{"when", "median", "range", "a second key, median"},
	}
	first := func(r importRun) float64 { return r.ImportMs }
	again := func(r importRun) float64 { return r.AgainMs }
	for _, row := range []struct {
		name string
		runs []importRun
	}{
		{"right after `load()` resolves (the engine compiles the import's code during the import)", k.atReady},
		{"after the module's warm-up", k.afterWarmUp},
	} {
		v := importField(row.runs, first)
		t.add(row.name, ms(median(v)), ms(minOf(v))+"–"+ms(maxOf(v)), ms(median(importField(row.runs, again))))
	}
	warm := importField(k.afterWarmUp, func(r importRun) float64 { return r.WarmUpMs })
	at := importField(k.afterWarmUp, func(r importRun) float64 { return r.WarmUpAfterReadyMs })
	t.notes = append(t.notes, fmt.Sprintf(
		"Key import = validation, thumbprint, WebCrypto import and the key handle; WebCrypto's own first use comes before it in both rows. "+
			"The warm-up: %s ms after `load()` resolved (median), once per page, the module runs the same import on a made-up key in a key cache of its own, "+
			"so that the engine compiles that code while the page is likely idle rather than during the page's first import; it took %s ms (median, range %s–%s), reported by the module as the User Timing measure \"sealbridge warm-up\". "+
			"The budget applies to the second row.",
		ms(median(at)), ms(median(warm)), ms(minOf(warm)), ms(maxOf(warm))))
	return t
}

func minOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	m := v[0]
	for _, x := range v {
		m = min(m, x)
	}
	return m
}
