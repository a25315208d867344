# Sealbridge. `make demo` starts the dev server; `make test` runs every test.
SHELL       := /usr/bin/env bash
GO          ?= go
GOROOT      := $(shell $(GO) env GOROOT)
WASM_EXEC   := $(firstword $(wildcard $(GOROOT)/lib/wasm/wasm_exec.js $(GOROOT)/misc/wasm/wasm_exec.js))
WASM_PATH   := $(dir $(WASM_EXEC))
GO_SOURCES  := $(shell find wasm jsbridge -name '*.go' -not -name '*_test.go') go.mod go.sum
NATIVE_PKGS  = $(shell $(GO) list ./... | grep -v /e2e)
# The native packages that import chromedp (the benchmark harness and its
# headless helper, not the e2e suite): tested without -race, see test-go.
BROWSER_PKGS = $(shell $(GO) list -f '{{.ImportPath}}{{range .Deps}} {{.}}{{end}}' ./... | grep ' github.com/chromedp/chromedp\( \|$$\)' | cut -d' ' -f1 | grep -v /e2e)
RACE_PKGS    = $(filter-out $(BROWSER_PKGS),$(NATIVE_PKGS))
JS_PKGS     := ./jsbridge/... ./wasm/...
# staticcheck, installed from the Go module proxy into bin/ (git-ignored) at
# this version, so that a fresh machine (CI) gets the same linter.
STATICCHECK_VERSION := v0.8.2
STATICCHECK := bin/staticcheck-$(STATICCHECK_VERSION)/staticcheck
# Stamps for the checks that no cache remembers: go test under
# go_js_wasm_exec cannot write its test log, node --test always runs, and
# the linters re-read everything. A stamp is touched when its check
# passes, and is older than its inputs once any of them changes.
STAMPS      := .stamps
ALL_GO      := $(shell find . -name '*.go' -not -path './node_modules/*' -not -path './bin/*')
# Everything the js/wasm tests build or read: the Go files (and test data)
# of the packages and of what they import from the repo, the module
# files, the toolchain (its version file and the Node runner).
WASM_TEST_INPUTS := $(shell find wasm jsbridge internal -type f \( -name '*.go' -o -path '*/testdata/*' \)) \
	go.mod go.sum $(GOROOT)/VERSION $(wildcard $(WASM_PATH)go_js_wasm_exec $(WASM_PATH)wasm_exec_node.js) $(WASM_EXEC)
NODE_TEST_INPUTS := $(wildcard jsbridge/test/*.js) dist/sealbridge.wasm dist/index.js dist/wasm_exec.js \
	node_modules/.package-lock.json \
	$(wildcard jsbridge/testdata/package/*) dist/index.d.ts dist/integrity.json package.json README.md LICENSE

# Two go commands never wait for each other's compiles: run at once, both
# compile the same package. The lanes of `make test` take these locks
# around their steps that compile a configuration another lane compiles
# too (native without -race; js/wasm with -trimpath), so whichever comes
# second reuses what the first compiled. Without flock(1), no lock.
HAVE_FLOCK  := $(shell command -v flock)
LOCK_NATIVE  = $(if $(HAVE_FLOCK),mkdir -p $(STAMPS) && flock $(STAMPS)/.native.lock)
LOCK_JS      = $(if $(HAVE_FLOCK),mkdir -p $(STAMPS) && flock $(STAMPS)/.js.lock)

# The release, from package.json; `make wasm` stamps it into the module and
# the loader, which refuse each other when they differ.
VERSION     := $(shell sed -n 's/^  "version": *"\([^"]*\)".*/\1/p' package.json)
# The files a page loads, hashed into dist/integrity.json for SRI.
PAGE_FILES  := dist/index.js dist/errors.js dist/seal.js dist/wasm_exec.js dist/sealbridge.wasm

.PHONY: all wasm demo test test-go-lane test-lint-wasm test-browser lint test-go test-wasm test-e2e test-node test-times bench bench-deps clean FORCE
all: wasm

## wasm: build dist/ (the module, its loader and the toolchain's wasm_exec.js)
wasm: dist/sealbridge.wasm dist/sealbridge.wasm.gz dist/sealbridge.wasm.br dist/wasm_exec.js dist/index.js dist/index.d.ts \
      dist/errors.js dist/seal.js dist/frames.js dist/frames.d.ts dist/integrity.json

# dist/.version changes (and so rebuilds what is stamped) only when
# package.json's version does, not on every edit of package.json.
dist/.version: FORCE
	@test -n "$(VERSION)" || { echo 'cannot read "version" from package.json' >&2; exit 1; }
	@mkdir -p dist
	@echo "$(VERSION)" | cmp -s - $@ || echo "$(VERSION)" > $@

dist/sealbridge.wasm: $(GO_SOURCES) dist/.version
	$(LOCK_JS) env GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags="-s -w -X main.version=$(VERSION)" -o $@ ./wasm

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

dist/index.js: jsbridge/index.js dist/.version
	sed 's/__SEALBRIDGE_VERSION__/$(VERSION)/' $< > $@
	@grep -q 'version = "$(VERSION)"' $@ || { echo "$@: the version was not stamped" >&2; rm -f $@; exit 1; }

dist/index.d.ts: jsbridge/index.d.ts
	@mkdir -p dist
	cp $< $@

# Isolated mode's host-side module (no WebAssembly) and the error class it
# shares with index.js.
dist/errors.js dist/seal.js dist/frames.js dist/frames.d.ts: dist/%: jsbridge/%
	@mkdir -p dist
	cp $< $@

# SRI hashes of what a page loads, published with the package.
dist/integrity.json: $(PAGE_FILES) $(wildcard internal/sri/*.go internal/cmd/integrity/*.go)
	$(LOCK_NATIVE) $(GO) run ./internal/cmd/integrity -version $(VERSION) -o $@ $(PAGE_FILES)

## demo: build and start the dev server with the embedded sandbox
demo: wasm
	$(GO) run ./demo

## test: lint, then every test: native (-race), js/wasm under node, Chromium
## e2e, npm package, in three lanes (see below). Go's test cache and the
## stamps skip whatever did not change.
test:
	@$(MAKE) --no-print-directory -j3 --output-sync=target test-go-lane test-lint-wasm test-browser

# Three lanes for two cores, because no lane keeps a core busy alone:
#  - test-go: the -race build compiles every dependency in a configuration
#    nothing else uses, then its slowest tests mostly wait;
#  - test-lint-wasm: gofmt, the linter's build, the js/wasm lint and tests;
#    with -trimpath, the js/wasm vet, staticcheck (through GOFLAGS: it asks
#    go list for the dependencies' compiled export data) and tests reuse the
#    packages the module's build compiled, and each other's; last the
#    native vet and staticcheck;
#  - test-browser: the module and node_modules, then Chromium (which spends
#    more than half its time waiting on the browser) and the npm test.
# Each step inside a lane starts once the one before it is done; a lane
# takes a further job slot whenever another lane has finished. The steps
# that compile what another lane compiles too take a lock (LOCK_NATIVE,
# LOCK_JS), and the lanes' order makes the big compile come first: the
# Chromium lane's vet of e2e compiles the native packages without -race
# (the linter's build and the SRI tool share the standard library), and
# the native vet and staticcheck, last in the lint lane, and the go lane's
# chromedp packages reuse them; the module's build compiles for js/wasm,
# the js/wasm vet and tests reuse that. The two compiling lanes run niced:
# one Chromium test fails when the page's timers stall for two seconds (a
# hung tab), and at equal priority the compilers starved the browser that
# long; niced, they take what the browser leaves.
test-go-lane:
	@nice -n 10 $(MAKE) --no-print-directory test-go

test-lint-wasm:
	@nice -n 10 $(MAKE) --no-print-directory $(STAMPS)/gofmt $(STATICCHECK)
	@nice -n 10 $(MAKE) --no-print-directory $(STAMPS)/lint-js
	@nice -n 10 $(MAKE) --no-print-directory test-wasm
	@nice -n 10 $(MAKE) --no-print-directory lint

test-browser:
	@$(MAKE) --no-print-directory wasm node_modules/.package-lock.json
	@$(MAKE) --no-print-directory test-e2e test-node

## lint: gofmt, go vet and staticcheck, natively and for js/wasm. The
## tests run with -vet=off: this vet covers the same packages, test files
## included, with every analyzer (go test's own vet runs a few of them).
lint: $(STAMPS)/gofmt $(STAMPS)/lint-js $(STAMPS)/lint-native

$(STAMPS)/gofmt: $(ALL_GO)
	@unformatted="$$(find . -name '*.go' -not -path './node_modules/*' -not -path './bin/*' -not -path './dist/*' -print0 | xargs -0 gofmt -l)"; \
	if [ -n "$$unformatted" ]; then echo "not gofmt-ed:"; echo "$$unformatted"; exit 1; fi
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/lint-js: $(ALL_GO) go.mod go.sum $(STATICCHECK)
	$(LOCK_JS) env GOOS=js GOARCH=wasm $(GO) vet -trimpath $(JS_PKGS)
	GOOS=js GOARCH=wasm GOFLAGS=-trimpath $(STATICCHECK) $(JS_PKGS)
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/lint-native: $(ALL_GO) go.mod go.sum $(STATICCHECK)
	$(LOCK_NATIVE) sh -c '$(GO) vet ./... && $(STATICCHECK) ./...'
	@mkdir -p $(STAMPS) && touch $@

$(STATICCHECK):
	$(LOCK_NATIVE) env GOBIN=$(CURDIR)/$(dir $@) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

# -ldflags=-w: no DWARF in the test binaries, which takes about a third off
# linking each of them with -race (race reports and panics still name file
# and line, from the runtime's own tables). -vet=off: `make lint` vets
# these packages. The packages that import chromedp run without -race:
# their test is a single-goroutine parser test, and -race would compile
# chromedp and its protocol packages a second time, where without it they
# reuse the build the Chromium test and the native vet compile.
test-go:
	$(GO) test -race -ldflags=-w -vet=off $(RACE_PKGS)
	$(LOCK_NATIVE) $(GO) test -vet=off $(BROWSER_PKGS)

test-wasm: $(STAMPS)/test-wasm

$(STAMPS)/test-wasm: $(WASM_TEST_INPUTS)
	$(LOCK_JS) env PATH="$(WASM_PATH):$$PATH" GOOS=js GOARCH=wasm $(GO) test -trimpath -vet=off $(JS_PKGS)
	@mkdir -p $(STAMPS) && touch $@

# The vet of e2e compiles (under the lock) every package the suite
# imports, natively without -race, and `make lint` later finds its result
# cached; the test then compiles only its own package.
test-e2e: wasm
	$(LOCK_NATIVE) $(GO) vet ./e2e/
	$(GO) test -vet=off -timeout 15m ./e2e/

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

test-node: wasm node_modules/.package-lock.json $(STAMPS)/test-node

# --test-concurrency: the three files mostly wait (Node start-up, npm, tsc),
# so they run side by side rather than one at a time (Node's default on two
# cores). --test-force-exit: a file's process ends once its tests are done;
# without it, a timer the Go runtime left pending kept client.test.js alive
# about 30 s after its last test (consumer.mjs calls process.exit for the
# same reason). Both flags need Node 20.14 or later.
$(STAMPS)/test-node: $(NODE_TEST_INPUTS)
	node --test --test-concurrency=3 --test-force-exit jsbridge/test/
	@mkdir -p $(STAMPS) && touch $@

## bench: size, start-up, seal latency, memory, renewal storm, delivery and
## proxy overhead against reference modules; writes docs/benchmarks.md (~3 min).
## Installs what it needs (brotli, Chromium, node_modules) when missing.
bench: bench-deps
	$(MAKE) --no-print-directory wasm node_modules/.package-lock.json
	$(GO) run ./bench/cmd/bench -out docs/benchmarks.md

## test-times: `time make test` in a fresh clone with an empty Go build
## cache, then again with nothing changed; writes docs/test-times.json,
## which `make bench` reports against the test-loop budgets (~10 min).
test-times:
	$(GO) run ./bench/cmd/testtimes -out docs/test-times.json

bench-deps:
	@missing=""; \
	command -v brotli >/dev/null 2>&1 || missing="$$missing brotli"; \
	if [ -z "$${CHROME_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then missing="$$missing chromium"; fi; \
	if [ -z "$${REDIS_SERVER:-}" ] && ! command -v redis-server >/dev/null 2>&1; then missing="$$missing redis-server"; fi; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing (Debian packages; the system Redis service is not started)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		made=""; if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made=1; fi; \
		apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
		if [ -n "$$made" ]; then rm -f /usr/sbin/policy-rc.d; fi; \
	fi

clean:
	rm -rf dist $(STAMPS)
