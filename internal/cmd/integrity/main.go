// Command integrity writes integrity.json: the SRI hash of each file a page
// loads. `make wasm` runs it over dist/.
//
//	go run ./internal/cmd/integrity -version 0.1.0 -o dist/integrity.json dist/index.js dist/wasm_exec.js dist/sealbridge.wasm
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/sealbridge/sealbridge/internal/sri"
)

func main() {
	version := flag.String("version", "", "the release the files belong to")
	out := flag.String("o", "", "where to write the manifest")
	flag.Parse()
	if *version == "" || *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: integrity -version V -o integrity.json FILE...")
		os.Exit(2)
	}
	m, err := sri.Build(*version, flag.Args())
	if err == nil {
		err = m.Write(*out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "integrity:", err)
		os.Exit(1)
	}
}
