# Sealbridge. `make demo` starts the dev server; `make test` runs every test.
SHELL       := /usr/bin/env bash
GO          ?= go
GOROOT      := $(shell $(GO) env GOROOT)
WASM_EXEC   := $(firstword $(wildcard $(GOROOT)/lib/wasm/wasm_exec.js $(GOROOT)/misc/wasm/wasm_exec.js))
WASM_PATH   := $(dir $(WASM_EXEC))
GO_SOURCES  := $(shell find wasm jsbridge -name '*.go' -not -name '*_test.go') go.mod go.sum
NATIVE_PKGS  = $(shell $(GO) list ./... | grep -v /e2e)
JS_PKGS     := ./jsbridge/... ./wasm/...

.PHONY: all wasm demo test test-go test-wasm test-e2e test-node bench clean
all: wasm

## wasm: build dist/ (the module, its loader and the toolchain's wasm_exec.js)
wasm: dist/sealbridge.wasm dist/wasm_exec.js dist/index.js dist/index.d.ts

dist/sealbridge.wasm: $(GO_SOURCES)
	@mkdir -p dist
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags="-s -w" -o $@ ./wasm

# Copied from the toolchain that builds the module, never edited: the two
# must match, since wasm_exec.js implements the module's imports.
dist/wasm_exec.js: $(WASM_EXEC)
	@mkdir -p dist
	cp $< $@

dist/index.js: jsbridge/index.js
	@mkdir -p dist
	cp $< $@

dist/index.d.ts: jsbridge/index.d.ts
	@mkdir -p dist
	cp $< $@

## demo: build and start the dev server with the embedded sandbox
demo: wasm
	$(GO) run ./demo

## test: every test: native (-race), js/wasm under node, Chromium e2e, npm interop
test: test-go test-wasm test-e2e test-node

test-go:
	$(GO) test -race $(NATIVE_PKGS)

test-wasm:
	PATH="$(WASM_PATH):$$PATH" GOOS=js GOARCH=wasm $(GO) test $(JS_PKGS)

test-e2e: wasm
	$(GO) test -timeout 15m ./e2e/

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

test-node: wasm node_modules/.package-lock.json
	node --test jsbridge/test/

clean:
	rm -rf dist
