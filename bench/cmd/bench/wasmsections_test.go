package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// encodeSection encodes one wasm section: its id, its length (LEB128, one byte
// here) and its body.
func encodeSection(id byte, body []byte) []byte {
	return append([]byte{id, byte(len(body))}, body...)
}

// TestSplitModuleMeasuresCodeAndDataOnly checks that only the code (10)
// and data (11) sections are counted, each on its own, and that a file
// that is not a module is refused.
func TestSplitModuleMeasuresCodeAndDataOnly(t *testing.T) {
	if _, err := exec.LookPath("brotli"); err != nil {
		t.Skip("brotli is not installed")
	}
	code := bytes.Repeat([]byte{0x0b}, 40)
	data := []byte("some data that is not the code section, 50 bytes.")
	mod := []byte("\x00asm\x01\x00\x00\x00")
	mod = append(mod, encodeSection(1, bytes.Repeat([]byte{1}, 30))...) // types: not counted
	mod = append(mod, encodeSection(10, code)...)
	mod = append(mod, encodeSection(0, []byte("\x04name"))...) // custom: not counted
	mod = append(mod, encodeSection(11, data)...)
	file := filepath.Join(t.TempDir(), "m.wasm")
	if err := os.WriteFile(file, mod, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := splitModule(context.Background(), "m", file)
	if err != nil {
		t.Fatal(err)
	}
	if s.codeRaw != int64(len(code)) || s.dataRaw != int64(len(data)) {
		t.Errorf("raw sizes: code %d, data %d; want %d, %d", s.codeRaw, s.dataRaw, len(code), len(data))
	}
	wantCode, _ := brotliSize(context.Background(), code)
	wantData, _ := brotliSize(context.Background(), data)
	if s.codeBr != wantCode || s.dataBr != wantData || wantCode == 0 || wantData == 0 {
		t.Errorf("brotli sizes: code %d, data %d; want %d, %d", s.codeBr, s.dataBr, wantCode, wantData)
	}

	if err := os.WriteFile(file, []byte("not a module"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := splitModule(context.Background(), "m", file); err == nil {
		t.Error("a file that is not a module was measured")
	}
}
