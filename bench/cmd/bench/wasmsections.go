package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// sectionSizes is one module's code and data sections, raw and each
// compressed on its own. The whole module's brotli size hides which of
// the two the bytes on the wire are; a Go module's data section (strings,
// type descriptors, the runtime's function and line tables) compresses
// far worse than its code, so the split says what a change can win.
type sectionSizes struct {
	name                     string
	codeRaw, codeBr          int64
	dataRaw, dataBr          int64
	wholeBr, wholeAboveHello int64
}

// measureSections splits the shipped module and the references into
// their code and data sections and compresses each with brotli -q 11
// (two at a time: two cores).
func measureSections(ctx context.Context, dist, work string, whole []moduleSizes) ([]sectionSizes, error) {
	files := map[string]string{"sealbridge": filepath.Join(dist, "sealbridge.wasm")}
	names := []string{"sealbridge"}
	for _, r := range references {
		files[r.name] = filepath.Join(work, r.name+".wasm")
		names = append(names, r.name)
	}
	out := make([]sectionSizes, len(names))
	err := twoAtATime(len(names), func(i int) (err error) {
		out[i], err = splitModule(ctx, names[i], files[names[i]])
		return err
	})
	if err != nil {
		return nil, err
	}
	var helloBr int64
	for _, s := range whole {
		if s.name == "hello" {
			helloBr = s.br
		}
	}
	for i := range out {
		for _, s := range whole {
			if s.name == out[i].name {
				out[i].wholeBr, out[i].wholeAboveHello = s.br, s.br-helloBr
			}
		}
	}
	return out, nil
}

// splitModule reads one module's code (id 10) and data (id 11) sections
// and compresses each.
func splitModule(ctx context.Context, name, file string) (sectionSizes, error) {
	mod, err := os.ReadFile(file)
	if err != nil {
		return sectionSizes{}, err
	}
	if len(mod) < 8 || !bytes.Equal(mod[:4], []byte("\x00asm")) {
		return sectionSizes{}, fmt.Errorf("%s: not a wasm module", file)
	}
	s := sectionSizes{name: name}
	r := &wasmReader{b: mod[8:]}
	for r.more() {
		id := r.byte()
		body := r.bytes(int(r.uint()))
		var raw, br *int64
		switch id {
		case 10:
			raw, br = &s.codeRaw, &s.codeBr
		case 11:
			raw, br = &s.dataRaw, &s.dataBr
		default:
			continue
		}
		*raw = int64(len(body))
		if *br, err = brotliSize(ctx, body); err != nil {
			return s, fmt.Errorf("%s: %w", file, err)
		}
	}
	return s, r.err
}

// brotliSize is the length of b compressed with brotli -q 11, as the
// whole modules are.
func brotliSize(ctx context.Context, b []byte) (int64, error) {
	cmd := exec.CommandContext(ctx, "brotli", "-q", "11", "-c")
	cmd.Stdin = bytes.NewReader(b)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("brotli -q 11: %v\n%s", err, stderr.Bytes())
	}
	return int64(out.Len()), nil
}

// sectionTable shows where each module's compressed bytes are, and how
// far above the syscall/js-only module each one is: the part that what
// a module links can change.
func (r *results) sectionTable() *table {
	t := &table{
		title: "Size: code and data sections, each compressed on its own (brotli -q 11)",
		head:  []string{"module", "code raw", "code brotli", "data raw", "data brotli", "whole module brotli, above hello"},
	}
	var ref sectionSizes
	for _, s := range r.sections {
		if s.name == "refjose" {
			ref = s
		}
		above := ""
		if s.name != "hello" {
			above = bytesN(s.wholeAboveHello)
		}
		t.add(s.name, bytesN(s.codeRaw), bytesN(s.codeBr), bytesN(s.dataRaw), bytesN(s.dataBr), above)
	}
	if ref.wholeBr > 0 {
		limit := int64(0.65 * float64(ref.wholeBr))
		t.notes = append(t.notes, fmt.Sprintf("The size budget (≤ 0.65 × the go-jose reference) allows %s bytes of brotli, that is %s above hello: "+
			"the runtime and syscall/js that every Go module carries are in both sides of the ratio, so the budget is met or missed by what the shim links on top of them.",
			bytesN(limit), bytesN(limit-(ref.wholeBr-ref.wholeAboveHello))))
	}
	return t
}
