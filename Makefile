# securefile — see README.md. `make test` is what CI runs.
SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/ourorg/securefile/internal/version.version=$(VERSION)
BIN := bin
# An execution count, not a duration: Go 1.26's fuzz coordinator can fail a
# duration-bounded run at its deadline with no crasher (golang/go#75804).
FUZZTIME ?= 20000x
# Minimizing each new interesting input may take up to 60 s by default; the
# short run keeps the inputs as found (a crasher is still minimized by hand).
FUZZMINIMIZE ?= 200x
# package:FuzzTarget pairs run briefly by `make test` (longer: make fuzz FUZZTIME=2000000x).
FUZZ_TARGETS := ./grammar/dsl:FuzzParse ./grammar/tomlfile:FuzzParse ./grammar/tomlfile:FuzzFormatStrings ./internal/interp:FuzzParse ./grammar/check:FuzzCheck ./grammar:FuzzLoad ./internal/verify:FuzzFields ./grammar/dsl:FuzzFormatString ./grammar/check:FuzzUnendedHeredocs ./internal/interp:FuzzLexerAgrees

# Everything is compiled without cgo, the way the frontend image and the e2e
# daemon (hack/e2e.sh) are built: the tests, the frontend binary, buildkitd
# and buildctl then share one Go build cache, and the BuildKit packages
# compile once instead of once per cgo setting.
CGO_ENABLED ?= 0
export CGO_ENABLED

# The local BuildKit daemon and registry (docs/testing.md).
E2E := hack/e2e.sh
# The frontend image `make image` builds; PUSH=1 pushes it, PUSH=0 writes
# .cache/e2e/securefile-image.tar. BUILDKIT_HOST picks the daemon (default:
# the one `make e2e-start` runs).
IMAGE ?= localhost:5000/ourorg/securefile:latest
PUSH ?= 1
# Platforms of the image, comma-separated; empty: the daemon's own. A
# release builds RELEASE_PLATFORMS, cross-compiled on the host (no
# emulation). A release VERSION (vX.Y.Z) also tags X.Y.Z, X.Y, X and latest
# in IMAGE's repository; ATTEST=1 adds SBOM and provenance attestations.
PLATFORMS ?=
RELEASE_PLATFORMS := linux/amd64,linux/arm64,linux/arm/v7,linux/ppc64le,linux/s390x,linux/riscv64
ATTEST ?= 0
# make dist: the CLI for every OS and architecture, and SHA256SUMS, in DIST.
# TOOL_IMAGE, when set, is linked in as the image of this version the CLI
# runs the leak scanner from when it cannot share itself (a release sets it
# to the image it just pushed, pinned by digest).
DIST ?= dist
DIST_PLATFORMS ?= linux/amd64,linux/arm64,darwin/amd64,darwin/arm64,windows/amd64,windows/arm64
TOOL_IMAGE ?=
# go test flags for the e2e tests, e.g. make e2e E2E_FLAGS='-run TestNetrc/gateway -v'
E2E_FLAGS ?= -count=1 -v -timeout 30m

.PHONY: all build tools test unit fuzz bench bench-go bench-verify lint actionlint schema clean image dist e2e e2e-setup e2e-start e2e-stop e2e-teardown demo

all: build

# The CLI embeds the small securefile-tool for TOOL_PLATFORMS (make tools,
# internal/toolbin; only a build with -tags toolbin embeds it):
# securefile build shares it with the daemon for the leak scanner and the
# secret digest instead of the whole CLI.
build: tools
	$(GO) build -tags toolbin -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/securefile ./cmd/securefile

TOOL_PLATFORMS ?= linux/amd64,linux/arm64
tools:
	GO='$(GO)' TOOL_PLATFORMS='$(TOOL_PLATFORMS)' internal/toolbin/build.sh

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go') e2e tools); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags e2e ./e2e
	$(GO) mod tidy -diff
	cd tools && $(GO) vet ./... && $(GO) mod tidy -diff
	@# bash -n checks only its first file (the rest are its arguments): one
	@# call per script.
	@for f in $$(git ls-files '*.sh'); do bash -n "$$f" || exit 1; done
	$(MAKE) --no-print-directory actionlint

# The GitHub workflows (.github/workflows), checked by actionlint built from
# its Go module (the tool directive of tools/go.mod).
actionlint:
	hack/actionlint.sh

unit:
	$(GO) test -count=1 ./...

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$pkg $$name ($(FUZZTIME))"; \
		$(GO) test -run='^$$' -fuzz="^$$name$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=$(FUZZMINIMIZE) $$pkg; \
	done

# e2e-setup before e2e, so that a fresh machine (CI) is provisioned; with
# E2E_REQUIRE=1 the e2e tests fail, never skip, when it was not done.
# E2E_BENCH=1: after the e2e tests, one quick run of every row of the
# benchmark table (BENCH_QUICK=1 hack/bench.sh), so that make bench keeps
# working; its numbers are not looked at.
test: E2E_REQUIRE = 1
test: E2E_BENCH = 1
test: lint unit fuzz e2e-setup e2e

# The benchmark table (docs/performance.md, "The benchmark table"): securefile
# against BuildKit's Dockerfile frontend on the local daemon, medians of
# BENCH_RUNS builds. Like e2e: starts the daemon if needed, stops it after
# only if it started it.
BENCH_RUNS ?= 5
bench:
	@running=0; $(E2E) status >/dev/null && running=1; \
	if [ $$running = 0 ]; then trap '$(E2E) stop' EXIT; fi; \
	$(E2E) up && eval "$$($(E2E) env)" && hack/bench.sh $(BENCH_RUNS)

# The offline Go benchmarks alone (parse, check, lower, securefile llb; no daemon).
bench-go:
	$(GO) test -run='^$$' -bench=. -benchmem ./grammar/... ./internal/lower ./cmd/securefile

# Cost of leak verification on a 500 MB image, against the local daemon
# (docs/performance.md); make e2e-start first.
bench-verify:
	eval "$$($(E2E) env)" && hack/bench-verify.sh

# The JSON Schema for editors, generated from the model (docs/schema.md).
schema:
	$(GO) run ./cmd/securefile schema > docs/securefile.schema.json

# The frontend image, from ./Dockerfile with host-built binaries, one per
# platform (offline, cross-compiled: no emulation).
image:
	IMAGE='$(IMAGE)' PUSH='$(PUSH)' PLATFORMS='$(PLATFORMS)' VERSION='$(VERSION)' ATTEST='$(ATTEST)' $(E2E) image

# The CLI binaries of a release and their checksums (docs/release.md).
dist:
	VERSION='$(VERSION)' DIST='$(DIST)' DIST_PLATFORMS='$(DIST_PLATFORMS)' TOOL_IMAGE='$(TOOL_IMAGE)' TOOL_PLATFORMS='$(TOOL_PLATFORMS)' hack/dist.sh

# Provision the machine for the e2e tests, the one step that changes it
# (as root): apt packages, the qemu-i386 binfmt handler, the tools and base
# images under .cache/e2e (docs/testing.md). `make test` and `make demo` run
# it; `make e2e`, `make e2e-start` and `go test -tags e2e ./e2e` never do:
# they ask for it.
e2e-setup:
	$(E2E) setup

# Undo what e2e-setup registered with the kernel (the packages stay).
e2e-teardown:
	$(E2E) teardown

# Start the local registry and buildkitd (and build and push the frontend
# image); `eval "$$(hack/e2e.sh env)"` points buildctl at them.
e2e-start:
	$(E2E) up

e2e-stop:
	$(E2E) stop

# The end-to-end tests against a real BuildKit (after make e2e-setup). The
# daemon is stopped afterwards, pass or fail, unless it was already running
# before (make e2e-start, make demo): then it is left as it was.
# E2E_REQUIRE=1 (make test sets it) makes TestMain fail instead of skipping
# when the setup is not done.
E2E_REQUIRE ?=
E2E_BENCH ?=
e2e:
	@running=0; $(E2E) status >/dev/null && running=1; \
	if [ $$running = 0 ]; then trap '$(E2E) stop' EXIT; fi; \
	$(E2E) up && eval "$$($(E2E) env)" && \
	E2E_REQUIRE='$(E2E_REQUIRE)' $(GO) test -tags e2e $(E2E_FLAGS) ./e2e && \
	if [ '$(E2E_BENCH)' = 1 ]; then BENCH_QUICK=1 hack/bench.sh >/dev/null; fi

# Build examples/hello through "# syntax=localhost:5000/ourorg/securefile"
# with the builtin Dockerfile frontend, as a user would, and leave the
# daemon running. It runs e2e-setup first: the README offers it as the first
# command on a fresh machine.
DEMO := .cache/e2e/demo
demo: e2e-setup
	$(E2E) up
	@set -e; eval "$$($(E2E) env)"; \
	rm -rf $(DEMO); mkdir -p $(DEMO)/src $(DEMO)/out; \
	cp -a examples/hello/. $(DEMO)/src/; \
	sed -i '1s|^# syntax=.*|# syntax=localhost:5000/ourorg/securefile|' $(DEMO)/src/Securefile; \
	echo "+ head -1 $(DEMO)/src/Securefile"; head -1 $(DEMO)/src/Securefile; \
	echo "+ buildctl build --frontend dockerfile.v0 --local context=$(DEMO)/src --local dockerfile=$(DEMO)/src --opt filename=Securefile --opt build-arg:BASE=localhost:5000/busybox:latest --output type=local,dest=$(DEMO)/out"; \
	buildctl build --progress=plain --frontend dockerfile.v0 \
		--local context=$(DEMO)/src --local dockerfile=$(DEMO)/src \
		--opt filename=Securefile --opt build-arg:BASE=localhost:5000/busybox:latest \
		--output type=local,dest=$(DEMO)/out; \
	echo; echo "+ cat $(DEMO)/out/hello.txt"; cat $(DEMO)/out/hello.txt; echo; \
	echo "BuildKit and the registry keep running. To use them:"; \
	echo '    eval "$$(hack/e2e.sh env)"     # BUILDKIT_HOST and PATH (buildctl)'; \
	echo "    $$($(E2E) env | head -1)"; \
	echo "Stop them with: make e2e-stop"

clean:
	rm -rf $(BIN) $(DIST)
	find internal/toolbin/bin -type f ! -name README.md -delete 2>/dev/null || true
