package main

import (
	"context"
	"fmt"
	"time"

	"github.com/chromedp/chromedp"
)

// startResult is what start.js reports, in ms since navigation start.
type startResult struct {
	Ready         float64 `json:"ready"`
	ScriptStart   float64 `json:"scriptStart"`
	FetchCalled   float64 `json:"fetchCalled"`
	Instantiated  float64 `json:"instantiated"`
	ResponseStart float64 `json:"responseStart"`
	Error         string  `json:"error"`
	Wasm          *struct {
		URL             string  `json:"url"`
		FetchStart      float64 `json:"fetchStart"`
		ResponseEnd     float64 `json:"responseEnd"`
		TransferSize    int64   `json:"transferSize"`
		EncodedBodySize int64   `json:"encodedBodySize"`
		DecodedBodySize int64   `json:"decodedBodySize"`
	} `json:"wasm"`
}

// startSamples are one module's cold and warm runs.
type startSamples struct {
	module     string
	cold, warm []startResult
}

var startModules = []string{"sealbridge", "refjose", "hello"}

// measureStartup loads each module runs times cold (a new browser context:
// empty HTTP and code caches) and, in the same context, once more warm.
// Modules take turns, and which goes first rotates, so that a slow moment
// of this shared machine does not land on one module's runs only.
func measureStartup(c *chrome, s *site, runs int) ([]startSamples, error) {
	out := make([]startSamples, len(startModules))
	for i, m := range startModules {
		out[i].module = m
	}
	// One discarded round first: the browser's first pages pay for
	// starting its renderer and network processes.
	for _, m := range startModules {
		tab, cancel, err := c.tab(60 * time.Second)
		if err != nil {
			return nil, err
		}
		_, err = loadOnce(tab, s.srv.URL+"/start?m="+m)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("start-up of %s: %w", m, err)
		}
	}
	for run := 0; run < runs; run++ {
		for k := range startModules {
			i := (k + run) % len(startModules) // who goes first rotates
			m := startModules[i]
			tab, cancel, err := c.tab(60 * time.Second)
			if err != nil {
				return nil, err
			}
			cold, err := loadOnce(tab, s.srv.URL+"/start?m="+m)
			if err == nil {
				var warm startResult
				warm, err = loadOnce(tab, s.srv.URL+"/start?m="+m)
				out[i].warm = append(out[i].warm, warm)
			}
			cancel()
			if err != nil {
				return nil, fmt.Errorf("start-up of %s: %w", m, err)
			}
			out[i].cold = append(out[i].cold, cold)
		}
	}
	return out, nil
}

func loadOnce(tab context.Context, url string) (startResult, error) {
	var r startResult
	err := chromedp.Run(tab,
		chromedp.Navigate(url),
		chromedp.Poll(`window.__result`, &r, chromedp.WithPollingTimeout(30*time.Second), chromedp.WithPollingInterval(5*time.Millisecond)),
	)
	if err == nil && r.Error != "" {
		err = fmt.Errorf("page error: %s", r.Error)
	}
	return r, err
}

// phases splits a median run into the page (navigation to the module's
// fetch), fetch+compile+instantiate, and Go's start (main to ready).
func phases(rs []startResult) (page, compile, goStart float64) {
	var p, c, g []float64
	for _, r := range rs {
		p = append(p, r.FetchCalled)
		c = append(c, r.Instantiated-r.FetchCalled)
		g = append(g, r.Ready-r.Instantiated)
	}
	return median(p), median(c), median(g)
}

func readies(rs []startResult) []float64 {
	var out []float64
	for _, r := range rs {
		out = append(out, r.Ready)
	}
	return out
}
