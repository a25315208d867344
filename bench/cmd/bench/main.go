// Command bench measures Sealbridge against its anchors in one run, side by
// side with reference modules built in the same run: bytes on the wire,
// start-up and seal latency in headless Chromium, memory, the renewal
// storm, delivery, and the intermediary's overhead. It prints the tables
// and writes them, with the machine, the date and the command, to
// docs/benchmarks.md. `make bench` installs what it needs and runs it.
//
// This machine is shared and noisy: read the ratios, taken in the same
// run, rather than the absolute times.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

type options struct {
	out, dist, root string
	runs, calls     int
	storm           int
	proxyFor        time.Duration
	clients         int
	only            map[string]bool
	proxyProfile    string
}

func (o options) want(section string) bool { return len(o.only) == 0 || o.only[section] }

func main() {
	var o options
	var only string
	flag.StringVar(&o.out, "out", "docs/benchmarks.md", "where to write the report (empty: only print)")
	flag.StringVar(&o.dist, "dist", "dist", "the built shim (`make wasm`)")
	flag.StringVar(&o.root, "root", ".", "the repository root (for node_modules)")
	flag.IntVar(&o.runs, "runs", 15, "start-up runs per module, cold and warm (15: the cold runs of one module spread over 100 ms and more on this machine, and a median of 7 moved by 30 ms between runs)")
	flag.IntVar(&o.calls, "calls", 300, "timed seals per library, after warm-up")
	flag.IntVar(&o.storm, "storm", 1000, "concurrent calls in the renewal storm")
	flag.DurationVar(&o.proxyFor, "proxy-duration", 10*time.Second, "load-test duration for each proxy path")
	flag.IntVar(&o.clients, "clients", 32, "concurrent clients in the proxy load test")
	flag.StringVar(&o.proxyProfile, "proxy-cpuprofile", "", "write a CPU profile of the proxy budget's case (10 ms provider, both paths) here (for development)")
	flag.StringVar(&only, "only", "", "comma-separated sections to run (size,startup,seal,memory,storm,delivery,proxy,sessions,frames); for development, never written to -out")
	flag.Parse()
	if only != "" {
		o.only = map[string]bool{}
		for _, s := range strings.Split(only, ",") {
			o.only[strings.TrimSpace(s)] = true
		}
	}
	// The whole run is bounded: a hung browser must not hang make.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	r, err := run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	doc := r.markdown(o)
	if o.out != "" && len(o.only) == 0 {
		if err := os.WriteFile(o.out, []byte(doc), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "bench: wrote %s\n", o.out)
	}
}

// results holds every section's measurements.
type results struct {
	root     string // the repository (for docs/test-times.json)
	started  time.Time
	took     time.Duration
	machine  machine
	sizes    []moduleSizes
	pkgSizes []packageSize
	dataSize int64
	sections []sectionSizes
	startup  []startSamples
	accept   string // Accept-Encoding Chromium sent for the module
	seal     *sealResults
	probe    *probeResults
	keys     *keyImports
	memStart int64
	memory   []memPoint
	storm    *stormResult
	delivery *deliveryResult
	proxy    *proxyResults
	sessions *sessionResults
	frames   *framesResult
}

func step(name string) func() {
	t := time.Now()
	fmt.Fprintf(os.Stderr, "bench: %s…\n", name)
	return func() { fmt.Fprintf(os.Stderr, "bench: %s done in %.1f s\n", name, time.Since(t).Seconds()) }
}

func run(ctx context.Context, o options) (*results, error) {
	r := &results{started: time.Now(), root: o.root}
	work, err := os.MkdirTemp("", "sealbridge-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)

	// A snapshot of dist/: others may rebuild it while this runs, and
	// every section must measure the same module.
	dist := filepath.Join(work, "dist")
	if err := snapshot(o.dist, dist); err != nil {
		return nil, err
	}
	o.dist = dist
	if err := runSections(r.offlineSections(ctx, o, work), o); err != nil {
		return nil, err
	}
	c, err := startChrome(ctx)
	if err != nil {
		return nil, err
	}
	defer c.cancel()
	r.machine = describeMachine(o.root, c.version)
	s := newSite(o.dist, work, o.root)
	defer s.close()
	key, err := newBenchKey()
	if err != nil {
		return nil, err
	}
	if err := runSections(r.browserSections(c, s, key, o), o); err != nil {
		return nil, err
	}
	printTables([]*table{r.budgetTable()})
	r.took = time.Since(r.started)
	return r, nil
}

func printTables(ts []*table) {
	for _, t := range ts {
		fmt.Println(t.markdown())
	}
}

// snapshot copies the built shim and its loader into dst, keeping the
// modification times (they tell a fresh .br/.gz from a stale one).
func snapshot(src, dst string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, n := range []string{"sealbridge.wasm", "sealbridge.wasm.br", "sealbridge.wasm.gz", "index.js", "index.d.ts", "wasm_exec.js", "errors.js", "seal.js", "frames.js"} {
		p := filepath.Join(src, n)
		info, err := os.Stat(p)
		if os.IsNotExist(err) && strings.HasPrefix(n, "sealbridge.wasm.") {
			continue // measured from a fresh compression instead
		}
		if err != nil {
			return fmt.Errorf("%v (run `make wasm` first)", err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		q := filepath.Join(dst, n)
		if err := os.WriteFile(q, b, 0o644); err != nil {
			return err
		}
		if err := os.Chtimes(q, info.ModTime(), info.ModTime()); err != nil {
			return err
		}
	}
	return nil
}
