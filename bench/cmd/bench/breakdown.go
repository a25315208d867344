package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// packageSize is the machine code one Go package contributes to the module.
type packageSize struct {
	pkg   string
	code  int64 // bytes of function bodies
	funcs int
}

// breakdown builds the shim again with its symbols (the name section that
// `make wasm` strips with -s -w) and sums each function body's size by
// the package that the function's name says it belongs to. Data (strings,
// type descriptors, tables) is reported as one line: the name section
// does not say whose it is.
func breakdown(ctx context.Context, work string) (pkgs []packageSize, data int64, err error) {
	out := filepath.Join(work, "sealbridge-symbols.wasm")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", out, "./wasm")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, 0, fmt.Errorf("building ./wasm with symbols: %v\n%s", err, b)
	}
	mod, err := os.ReadFile(out)
	if err != nil {
		return nil, 0, err
	}
	sizes, names, imports, data, err := readWasm(mod)
	if err != nil {
		return nil, 0, err
	}
	byPkg := map[string]*packageSize{}
	for i, size := range sizes {
		pkg := packageOf(names[uint32(imports+i)])
		p := byPkg[pkg]
		if p == nil {
			p = &packageSize{pkg: pkg}
			byPkg[pkg] = p
		}
		p.code += size
		p.funcs++
	}
	for _, p := range byPkg {
		pkgs = append(pkgs, *p)
	}
	slices.SortFunc(pkgs, func(a, b packageSize) int { return int(b.code - a.code) })
	return pkgs, data, nil
}

// packageOf turns a function's name in the name section into its package.
// The linker writes "encoding_json.Marshal",
// "github.com_sealbridge_sealbridge_wasm_seal.__Key_.Seal": the import
// path with "/" as "_", then ".", then the function. A domain's dot
// ("github.com") is part of the path. "_" in the path reads back as "/"
// (no package linked here has "_" in its name).
func packageOf(sym string) string {
	if sym == "" {
		return "(unnamed)"
	}
	from := 0
	for _, domain := range []string{"github.com_", "golang.org_", "go.yaml.in_"} {
		if strings.HasPrefix(sym, domain) {
			from = len(domain)
		}
	}
	if dot := strings.Index(sym[from:], "."); dot >= 0 {
		sym = sym[:from+dot]
	}
	return strings.ReplaceAll(sym, "_", "/")
}

// readWasm reads a module's function body sizes (code section), its
// function names (the "name" custom section), how many functions are
// imported (they come first in the index space), and its data size.
func readWasm(mod []byte) (sizes []int64, names map[uint32]string, imports int, data int64, err error) {
	if len(mod) < 8 || !bytes.Equal(mod[:4], []byte("\x00asm")) {
		return nil, nil, 0, 0, errors.New("not a wasm module")
	}
	r := &wasmReader{b: mod[8:]}
	names = map[uint32]string{}
	for r.more() {
		id := r.byte()
		body := r.bytes(int(r.uint()))
		s := &wasmReader{b: body}
		switch id {
		case 0: // custom
			if string(s.bytes(int(s.uint()))) == "name" {
				readNames(s, names)
			}
		case 2: // imports
			n := int(s.uint())
			for range n {
				s.bytes(int(s.uint())) // module
				s.bytes(int(s.uint())) // name
				if kind := s.byte(); kind == 0 {
					imports++
					s.uint() // type index
				} else {
					break // the shim imports only functions; stop counting otherwise
				}
			}
		case 10: // code
			n := int(s.uint())
			for range n {
				size := s.uint()
				s.bytes(int(size))
				sizes = append(sizes, int64(size))
			}
		case 11: // data
			data = int64(len(body))
		}
		if s.err != nil {
			return nil, nil, 0, 0, s.err
		}
	}
	return sizes, names, imports, data, r.err
}

// readNames reads subsection 1 (function names) of a name section.
func readNames(s *wasmReader, names map[uint32]string) {
	for s.more() {
		id := s.byte()
		sub := &wasmReader{b: s.bytes(int(s.uint()))}
		if id != 1 {
			continue
		}
		n := int(sub.uint())
		for range n {
			idx := uint32(sub.uint())
			names[idx] = string(sub.bytes(int(sub.uint())))
		}
	}
}

// wasmReader reads LEB128 numbers and byte strings, remembering the first
// error instead of panicking on a short module.
type wasmReader struct {
	b   []byte
	err error
}

func (r *wasmReader) more() bool { return r.err == nil && len(r.b) > 0 }

func (r *wasmReader) byte() byte {
	if len(r.b) == 0 {
		r.err = errors.New("wasm: unexpected end")
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *wasmReader) uint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errors.New("wasm: bad LEB128")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *wasmReader) bytes(n int) []byte {
	if n < 0 || n > len(r.b) {
		r.err = errors.New("wasm: unexpected end")
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

// breakdownTable lists the packages with the most code in the module.
func (r *results) breakdownTable() *table {
	t := &table{
		title: "Size: where the module's code goes (function bodies by Go package, before compression)",
		head:  []string{"package", "code bytes", "share", "functions"},
	}
	var total int64
	for _, p := range r.pkgSizes {
		total += p.code
	}
	const shown = 25
	var rest packageSize
	for i, p := range r.pkgSizes {
		if i >= shown {
			rest.code += p.code
			rest.funcs += p.funcs
			continue
		}
		t.add("`"+p.pkg+"`", bytesN(p.code), fmt.Sprintf("%.1f%%", 100*float64(p.code)/float64(total)), fmt.Sprint(p.funcs))
	}
	t.add(fmt.Sprintf("%d other packages", len(r.pkgSizes)-min(shown, len(r.pkgSizes))), bytesN(rest.code), fmt.Sprintf("%.1f%%", 100*float64(rest.code)/float64(total)), fmt.Sprint(rest.funcs))
	t.add("all code", bytesN(total), "100%", "")
	t.add("data section (strings, type data, tables)", bytesN(r.dataSize), "", "")
	t.notes = append(t.notes, "From a build of ./wasm without -s -w (same code, plus the name section that says which function is whose); "+
		"`GOOS=js GOARCH=wasm go list -deps ./wasm` lists what is imported, `GOOS=js GOARCH=wasm go build -ldflags=-dumpdep ./wasm` says why each function is linked (the first caller that reached it), and wasm/deps_test.go fails if net/http, go-jose, crypto/x509, crypto/rsa, crypto/aes, crypto/cipher, crypto/sha256, math/big, mime or encoding/json come back.")
	return t
}
