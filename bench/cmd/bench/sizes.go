package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// moduleSizes is one module's bytes on the wire, by encoding.
type moduleSizes struct {
	name, what  string
	raw, gz, br int64
}

// references are the modules Sealbridge is compared with, built in the
// same run with the same flags as `make wasm`.
var references = []struct{ name, pkg, what string }{
	{"refjose", "./bench/refjose", "go-jose reference: imports a JWK, JWE-encrypts (bench/refjose)"},
	{"hello", "./bench/hello", "hello: syscall/js only (bench/hello)"},
}

// buildReferences compiles the reference modules, and the probe, into work.
func buildReferences(ctx context.Context, work string) error {
	for _, r := range append(references, struct{ name, pkg, what string }{"probe", "./bench/probe", ""}) {
		cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(work, r.name+".wasm"), r.pkg)
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("building %s: %v\n%s", r.pkg, err, out)
		}
	}
	return nil
}

// compress writes f.gz (gzip -9) and f.br (brotli -q 11) next to f unless
// fresh ones are there already (`make wasm` makes Sealbridge's), and
// returns the three sizes.
func compress(ctx context.Context, f string) (raw, gz, br int64, err error) {
	info, err := os.Stat(f)
	if err != nil {
		return 0, 0, 0, err
	}
	fresh := func(p string) bool {
		s, err := os.Stat(p)
		return err == nil && !s.ModTime().Before(info.ModTime().Truncate(time.Second))
	}
	if !fresh(f + ".gz") {
		if out, err := exec.CommandContext(ctx, "gzip", "-9", "-k", "-f", "-n", f).CombinedOutput(); err != nil {
			return 0, 0, 0, fmt.Errorf("gzip -9 %s: %v\n%s", f, err, out)
		}
	}
	if !fresh(f + ".br") {
		if out, err := exec.CommandContext(ctx, "brotli", "-q", "11", "-f", "-o", f+".br", f).CombinedOutput(); err != nil {
			return 0, 0, 0, fmt.Errorf("brotli -q 11 %s: %v\n%s (install it: apt-get install brotli)", f, err, out)
		}
	}
	g, err := os.Stat(f + ".gz")
	if err != nil {
		return 0, 0, 0, err
	}
	b, err := os.Stat(f + ".br")
	if err != nil {
		return 0, 0, 0, err
	}
	return info.Size(), g.Size(), b.Size(), nil
}

// measureSizes compresses every module (two at a time: two cores) and
// returns Sealbridge's sizes first, then the references', then the JS that
// loads Sealbridge.
// sizeJob is one row of the size table: files compressed and summed.
type sizeJob struct {
	name, what string
	files      []string
}

func measureSizes(ctx context.Context, dist, work string) ([]moduleSizes, error) {
	jobs := []sizeJob{{"sealbridge", "dist/sealbridge.wasm", []string{filepath.Join(dist, "sealbridge.wasm")}}}
	for _, r := range references {
		jobs = append(jobs, sizeJob{r.name, r.what, []string{filepath.Join(work, r.name+".wasm")}})
	}
	scripts, err := scriptJobs(dist, work)
	if err != nil {
		return nil, err
	}
	return compressAll(ctx, append(jobs, scripts...))
}

// scriptJobs copies the loader and the isolated mode's host script out of
// dist/, so that compressing them leaves dist/ as make built it.
func scriptJobs(dist, work string) ([]sizeJob, error) {
	var glue, frames []string
	for _, n := range []string{"index.js", "wasm_exec.js", "seal.js", "frames.js", "errors.js"} {
		b, err := os.ReadFile(filepath.Join(dist, n))
		if err != nil {
			return nil, err
		}
		p := filepath.Join(work, n)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return nil, err
		}
		if n == "frames.js" || n == "errors.js" {
			frames = append(frames, p)
		} else {
			glue = append(glue, p)
		}
	}
	// index.js imports errors.js too, but it is counted once, with the
	// frames: a host page in isolated mode loads frames.js and errors.js
	// and nothing else of Sealbridge.
	return []sizeJob{{"loader JS", "dist/index.js + dist/wasm_exec.js + dist/seal.js", glue},
		{framesHost, "dist/frames.js + dist/errors.js (isolated mode's host script; each compressed on its own)", frames}}, nil
}

// compressAll compresses the jobs two at a time (the machine's cores).
func compressAll(ctx context.Context, jobs []sizeJob) ([]moduleSizes, error) {
	out := make([]moduleSizes, len(jobs))
	err := twoAtATime(len(jobs), func(i int) error {
		j := jobs[i]
		out[i] = moduleSizes{name: j.name, what: j.what}
		for _, f := range j.files {
			raw, gz, br, err := compress(ctx, f)
			if err != nil {
				return err
			}
			out[i].raw += raw
			out[i].gz += gz
			out[i].br += br
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// twoAtATime runs job(0) to job(n-1), at most two at once (the machine's
// cores: compressing and splitting modules are CPU-bound), and joins
// their errors.
func twoAtATime(n int, job func(i int) error) error {
	errs := make([]error, n)
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = job(i)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
