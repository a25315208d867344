# Sealbridge. `make demo` starts the dev server; `make test` runs every test.
SHELL       := /usr/bin/env bash
GO          ?= go
GOROOT      := $(shell $(GO) env GOROOT)
WASM_EXEC   := $(firstword $(wildcard $(GOROOT)/lib/wasm/wasm_exec.js $(GOROOT)/misc/wasm/wasm_exec.js))
WASM_PATH   := $(dir $(WASM_EXEC))
GO_SOURCES  := $(shell find wasm jsbridge -name '*.go' -not -name '*_test.go') go.mod go.sum
NATIVE_PKGS  = $(shell $(GO) list ./... | grep -v /e2e)
JS_PKGS     := ./jsbridge/... ./wasm/...
# staticcheck, installed from the Go module proxy into bin/ (git-ignored) at
# this version, so that a fresh machine (CI) gets the same linter.
STATICCHECK_VERSION := v0.8.2
STATICCHECK := bin/staticcheck-$(STATICCHECK_VERSION)/staticcheck

.PHONY: all wasm demo test lint test-go test-wasm test-e2e test-node bench bench-deps clean
all: wasm

## wasm: build dist/ (the module, its loader and the toolchain's wasm_exec.js)
wasm: dist/sealbridge.wasm dist/sealbridge.wasm.gz dist/sealbridge.wasm.br dist/wasm_exec.js dist/index.js dist/index.d.ts

dist/sealbridge.wasm: $(GO_SOURCES)
	@mkdir -p dist
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags="-s -w" -o $@ ./wasm

# Precompressed copies, sent by the dev server when the browser accepts
# them (demo/server/delivery.go). -n keeps the gzip bytes reproducible;
# touch, because brotli stamps its output with the input's time cut to the
# second, which make would take for out of date.
dist/sealbridge.wasm.gz: dist/sealbridge.wasm
	gzip -9 -k -f -n $<

dist/sealbridge.wasm.br: dist/sealbridge.wasm
	@if command -v brotli >/dev/null 2>&1; then \
		echo "brotli -q 11 $<"; brotli -q 11 -f -o $@ $< && touch $@; \
	else \
		echo "brotli is not installed (apt-get install brotli): no $@, the server sends gzip"; rm -f $@; \
	fi

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

## test: lint, then every test: native (-race), js/wasm under node, Chromium e2e, npm interop
test: lint test-go test-wasm test-e2e test-node

## lint: gofmt, go vet and staticcheck, natively and for js/wasm
lint: $(STATICCHECK)
	@unformatted="$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go'))"; \
	if [ -n "$$unformatted" ]; then echo "not gofmt-ed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet $(JS_PKGS)
	$(STATICCHECK) ./...
	GOOS=js GOARCH=wasm $(STATICCHECK) $(JS_PKGS)

$(STATICCHECK):
	GOBIN=$(CURDIR)/$(dir $@) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

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

## bench: size, start-up, seal latency, memory, renewal storm, delivery and
## proxy overhead against the anchors; writes docs/benchmarks.md (~3 min).
## Installs what it needs (brotli, Chromium, node_modules) when missing.
bench: bench-deps
	$(MAKE) --no-print-directory wasm node_modules/.package-lock.json
	$(GO) run ./bench/cmd/bench -out docs/benchmarks.md

bench-deps:
	@missing=""; \
	command -v brotli >/dev/null 2>&1 || missing="$$missing brotli"; \
	if [ -z "$${CHROME_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then missing="$$missing chromium"; fi; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing (Debian packages)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	fi

clean:
	rm -rf dist
