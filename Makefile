# securefile — see README.md. `make test` is what CI runs.
SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
BIN := bin
# An execution count, not a duration: Go 1.26's fuzz coordinator can fail a
# duration-bounded run at its deadline with no crasher (golang/go#75804).
FUZZTIME ?= 20000x
# package:FuzzTarget pairs run briefly by `make test` (longer: make fuzz FUZZTIME=2000000x).
FUZZ_TARGETS := ./grammar/dsl:FuzzParse ./grammar/tomlfile:FuzzParse ./grammar/tomlfile:FuzzFormatStrings ./interp:FuzzParse ./grammar/check:FuzzCheck ./grammar:FuzzLoad

.PHONY: all build test unit fuzz bench lint schema clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/securefile ./cmd/securefile

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) mod tidy -diff

unit:
	$(GO) test -count=1 ./...

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$pkg $$name ($(FUZZTIME))"; \
		$(GO) test -run='^$$' -fuzz="^$$name$$" -fuzztime=$(FUZZTIME) $$pkg; \
	done

test: lint unit fuzz

bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./grammar/...

# The JSON Schema for editors, generated from the model (docs/schema.md).
schema:
	$(GO) run ./cmd/securefile schema > docs/securefile.schema.json

clean:
	rm -rf $(BIN)
