package main

import (
	"context"
	"fmt"
)

// benchSection is one part of the report: what it measures, under which -only
// name, and the tables it prints once measured.
type benchSection struct {
	name    string // the -only name; "" runs every time
	label   string // what the progress line says
	measure func() error
	tables  func() []*table // nil: prints nothing
}

// runSections measures and prints each wanted benchSection in order; the first
// error stops the run.
func runSections(secs []benchSection, o options) error {
	for _, sec := range secs {
		if sec.name != "" && !o.want(sec.name) {
			continue
		}
		done := step(sec.label)
		if err := sec.measure(); err != nil {
			return err
		}
		done()
		if sec.tables != nil {
			printTables(sec.tables())
		}
	}
	return nil
}

// offlineSections need no browser: the modules' sizes (always, since the
// references' .br/.gz are also what the start-up pages are served), the
// intermediary and the session stores.
func (r *results) offlineSections(ctx context.Context, o options, work string) []benchSection {
	return []benchSection{
		{label: "building the reference modules", measure: func() error { return buildReferences(ctx, work) }},
		{label: "compressing (gzip -9, brotli -q 11)", tables: r.sizeTables, measure: func() (err error) {
			if r.sizes, err = measureSizes(ctx, o.dist, work); err != nil {
				return err
			}
			if !o.want("size") {
				return nil // the breakdowns take a build and a minute of brotli
			}
			if r.sections, err = measureSections(ctx, o.dist, work, r.sizes); err != nil {
				return err
			}
			r.pkgSizes, r.dataSize, err = breakdown(ctx, work)
			return err
		}},
		{name: "proxy", label: fmt.Sprintf("proxy load test (%d clients, %s per path)", o.clients, o.proxyFor), tables: r.proxyTables,
			measure: func() (err error) {
				r.proxy, err = measureProxy(ctx, o.clients, o.proxyFor, o.proxyProfile)
				return err
			}},
		{name: "sessions", label: fmt.Sprintf("session stores: memory and Redis (%d clients, %s per store)", o.clients, o.proxyFor), tables: r.sessionTables,
			measure: func() (err error) {
				r.sessions, err = measureSessions(ctx, o.clients, o.proxyFor)
				return err
			}},
	}
}

// browserSections run in the one headless Chromium c, against site s.
func (r *results) browserSections(c *chrome, s *site, key *benchKey, o options) []benchSection {
	return []benchSection{
		{name: "startup", label: fmt.Sprintf("start-up, %d cold + %d warm loads per module", o.runs, o.runs), tables: r.startupTables,
			measure: func() (err error) {
				r.startup, err = measureStartup(c, s, o.runs)
				r.accept = s.acceptEncoding("/dist/sealbridge.wasm")
				return err
			}},
		{name: "seal", label: "seal latency", tables: r.sealTables, measure: func() (err error) {
			if r.seal, err = measureSeal(c, s, key, o.calls); err != nil {
				return err
			}
			if r.probe, err = measureProbe(c, s, key); err != nil {
				return err
			}
			r.keys, err = measureKeyImport(c, s, key, keyImportRuns)
			return err
		}},
		{name: "memory", label: "memory over 10,000 seals", tables: r.memoryTables, measure: func() (err error) {
			r.memStart, r.memory, err = measureMemory(c, s, key)
			return err
		}},
		{name: "storm", label: fmt.Sprintf("renewal storm, %d calls", o.storm), tables: r.stormTables, measure: func() (err error) {
			r.storm, err = measureStorm(c, o.dist, o.storm)
			return err
		}},
		{name: "frames", label: fmt.Sprintf("isolated mode, %d cold + %d warm mounts", o.runs, o.runs), tables: r.framesTables,
			measure: func() (err error) {
				r.frames, err = measureFrames(c, o.dist, o.runs)
				return err
			}},
		{name: "delivery", label: "delivery of the demo page", tables: r.deliveryTables, measure: func() (err error) {
			r.delivery, err = checkDelivery(c, o.dist)
			return err
		}},
	}
}
