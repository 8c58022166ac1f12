# securefile — see README.md. `make test` is what CI runs.
SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
BIN := bin
FUZZTIME ?= 10s
# package:FuzzTarget pairs run briefly by `make test` (and longer by `make fuzz FUZZTIME=5m`).
FUZZ_TARGETS := ./grammar/dsl:FuzzParse ./grammar/tomlfile:FuzzParse ./interp:FuzzParse ./grammar:FuzzLoad

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
