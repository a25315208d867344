package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/sealbridge/sealbridge/demo/server"
)

// wasmFetch is one request for the module the demo page made, as the
// browser saw it.
type wasmFetch struct {
	url, status, encoding, cache string
	fromCache                    bool
	transfer                     float64 // bytes on the wire, headers included
}

type deliveryResult struct {
	visits   [][]wasmFetch // per page visit: first, then a second one in the same profile
	warnings []string      // console messages about preloading
	accept   string        // the Accept-Encoding Chromium sent
}

// checkDelivery loads the demo page twice in one fresh profile and records
// every request for the module: that the preload is the only fetch (index.js
// reuses it), how it was encoded, what it cost, and what the second visit
// paid. It waits past the point where Chromium warns about a preload that
// was not used.
func checkDelivery(c *chrome, dist string) (*deliveryResult, error) {
	srv, err := server.Start(server.Config{Addr: "127.0.0.1:0", DistDir: dist, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	tab, cancel, err := c.tab(time.Minute)
	if err != nil {
		return nil, err
	}
	defer cancel()

	var mu sync.Mutex
	res := &deliveryResult{}
	var current []wasmFetch
	byID := map[network.RequestID]int{}
	chromedp.ListenTarget(tab, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			if strings.Contains(ev.Request.URL, "sealbridge.wasm") {
				byID[ev.RequestID] = len(current)
				current = append(current, wasmFetch{url: strings.TrimPrefix(ev.Request.URL, srv.URL)})
				if ae, ok := ev.Request.Headers["Accept-Encoding"].(string); ok {
					res.accept = ae
				}
			}
		case *network.EventRequestWillBeSentExtraInfo:
			if i, ok := byID[ev.RequestID]; ok && i < len(current) {
				if ae, ok := ev.Headers["Accept-Encoding"].(string); ok {
					res.accept = ae
				}
			}
		case *network.EventResponseReceived:
			if i, ok := byID[ev.RequestID]; ok {
				h := ev.Response.Headers
				current[i].status = fmt.Sprint(ev.Response.Status)
				current[i].encoding, _ = h["Content-Encoding"].(string)
				if current[i].encoding == "" {
					current[i].encoding, _ = h["content-encoding"].(string)
				}
				current[i].cache, _ = h["Cache-Control"].(string)
				if current[i].cache == "" {
					current[i].cache, _ = h["cache-control"].(string)
				}
				current[i].fromCache = ev.Response.FromDiskCache || ev.Response.FromPrefetchCache
			}
		case *network.EventLoadingFinished:
			if i, ok := byID[ev.RequestID]; ok {
				current[i].transfer = ev.EncodedDataLength
			}
		case *cdplog.EventEntryAdded:
			if strings.Contains(strings.ToLower(ev.Entry.Text), "preload") {
				res.warnings = append(res.warnings, ev.Entry.Text)
			}
		}
	})
	if err := chromedp.Run(tab, network.Enable(), cdplog.Enable()); err != nil {
		return nil, err
	}
	for visit := 0; visit < 2; visit++ {
		err := chromedp.Run(tab,
			chromedp.Navigate(srv.URL+"/"),
			chromedp.WaitVisible(`body[data-ready="true"]`, chromedp.ByQuery),
			// Chromium warns about an unused preload a few seconds
			// after the load event.
			chromedp.Sleep(3500*time.Millisecond),
		)
		if err != nil {
			return nil, fmt.Errorf("demo page: %w", err)
		}
		mu.Lock()
		res.visits = append(res.visits, current)
		current = nil
		byID = map[network.RequestID]int{}
		mu.Unlock()
	}
	return res, nil
}
