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

	w := &wasmWatcher{res: &deliveryResult{}, origin: srv.URL, byID: map[network.RequestID]int{}}
	chromedp.ListenTarget(tab, w.on)
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
		w.endVisit()
	}
	return w.res, nil
}

// wasmWatcher records, from the browser's network events, each fetch of
// the module during the current visit, and the preload warnings.
type wasmWatcher struct {
	mu      sync.Mutex
	res     *deliveryResult
	origin  string
	current []wasmFetch
	byID    map[network.RequestID]int
}

func (w *wasmWatcher) endVisit() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.res.visits = append(w.res.visits, w.current)
	w.current = nil
	w.byID = map[network.RequestID]int{}
}

func (w *wasmWatcher) on(ev any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if strings.Contains(ev.Request.URL, "sealbridge.wasm") {
			w.byID[ev.RequestID] = len(w.current)
			w.current = append(w.current, wasmFetch{url: strings.TrimPrefix(ev.Request.URL, w.origin)})
			w.noteAccept(ev.Request.Headers)
		}
	case *network.EventRequestWillBeSentExtraInfo:
		if _, ok := w.byID[ev.RequestID]; ok {
			w.noteAccept(ev.Headers)
		}
	case *network.EventResponseReceived:
		if i, ok := w.byID[ev.RequestID]; ok {
			h := ev.Response.Headers
			w.current[i].status = fmt.Sprint(ev.Response.Status)
			w.current[i].encoding = header(h, "Content-Encoding")
			w.current[i].cache = header(h, "Cache-Control")
			w.current[i].fromCache = ev.Response.FromDiskCache || ev.Response.FromPrefetchCache
		}
	case *network.EventLoadingFinished:
		if i, ok := w.byID[ev.RequestID]; ok {
			w.current[i].transfer = ev.EncodedDataLength
		}
	case *cdplog.EventEntryAdded:
		if strings.Contains(strings.ToLower(ev.Entry.Text), "preload") {
			w.res.warnings = append(w.res.warnings, ev.Entry.Text)
		}
	}
}

func (w *wasmWatcher) noteAccept(h network.Headers) {
	if ae, ok := h["Accept-Encoding"].(string); ok {
		w.res.accept = ae
	}
}

// header reads a response header whichever case the browser reported it in.
func header(h network.Headers, name string) string {
	if v, ok := h[name].(string); ok && v != "" {
		return v
	}
	v, _ := h[strings.ToLower(name)].(string)
	return v
}
