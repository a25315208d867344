package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/sealbridge/sealbridge/demo/server"
)

// framesHost names the isolated-mode host script in the size table.
const framesHost = "frames"

// framesResult is the time from calling mountSecureForm to a usable field
// (the promise resolves once the frame has built its inputs and listens),
// in a fresh browser context (cold: nothing cached), and on a second visit
// of the host page in the same context (warm: the frame's files cached).
type framesResult struct {
	cold, warm []float64
}

const framesHostPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>host</title>
<link rel="modulepreload" href="/dist/frames.js"></head><body><div id="box"></div></body></html>`

// mountJS imports the host module first (it is the page's, not the
// mount's), then times one mount.
const mountJS = `(async (frame) => {
	const { mountSecureForm } = await import("/dist/frames.js");
	const t0 = performance.now();
	const form = await mountSecureForm({ frame, container: document.getElementById("box"), provider: "sandbox",
		fields: [{ name: "login", label: "Login", autocomplete: "username" }, { name: "password", label: "Password", type: "password", autocomplete: "current-password" }] });
	const t = performance.now() - t0;
	form.destroy();
	return t;
})`

// measureFrames serves a host page on its own origin, starts the dev
// server (its frame origin trusting that host), and mounts the secure
// fields runs times cold and warm.
func measureFrames(c *chrome, dist string, runs int) (*framesResult, error) {
	mux := http.NewServeMux()
	mux.Handle("GET /dist/", http.StripPrefix("/dist/", server.NewAssets(dist)))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, framesHostPage)
	})
	host := httptest.NewServer(mux)
	defer host.Close()
	srv, err := server.Start(server.Config{Addr: "127.0.0.1:0", DistDir: dist, FrameAncestors: []string{host.URL},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	call := mountJS + fmt.Sprintf("(%q)", srv.FrameURL+server.FramePage)
	res := &framesResult{}
	for i := 0; i <= runs; i++ {
		tab, cancel, err := c.tab(time.Minute)
		if err != nil {
			return nil, err
		}
		var cold, warm float64
		err = chromedp.Run(tab, chromedp.Navigate(host.URL+"/"), chromedp.Evaluate(call, &cold, awaitPromise),
			chromedp.Navigate(host.URL+"/"), chromedp.Evaluate(call, &warm, awaitPromise))
		cancel()
		if err != nil {
			return nil, fmt.Errorf("mounting the secure fields: %w", err)
		}
		if i == 0 {
			continue // the browser's first pages pay for starting its processes
		}
		res.cold = append(res.cold, cold)
		res.warm = append(res.warm, warm)
	}
	return res, nil
}

func awaitPromise(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }

func (r *results) framesTables() []*table {
	f := r.frames
	t := &table{title: "Mount to a usable field", head: []string{"", "median ms", "p95 ms", "min ms", "runs"}}
	for _, row := range []struct {
		name string
		v    []float64
	}{{"cold (fresh browser context)", f.cold}, {"warm (second visit, same context)", f.warm}} {
		s := summarize(row.v)
		t.add(row.name, ms(s.Median), ms(s.P95), ms(s.Min), fmt.Sprint(s.N))
	}
	t.notes = append(t.notes, "From calling mountSecureForm to its promise resolving: the frame page (another origin, served by the dev server) has loaded its scripts, checked its parent, taken the MessagePort and built the inputs. "+
		"The module (sealbridge.wasm) is preloaded by the frame page but not waited for: the first seal waits for it if it is not ready yet.")
	if s := r.size(framesHost); s.br > 0 {
		t.notes = append(t.notes, fmt.Sprintf("The host page loads %s (%s B brotli) and no WebAssembly.", s.what, bytesN(s.br)))
	}
	return []*table{t}
}
