# modecrawl — build, test and benchmark targets.
GO        ?= go
PKG       := github.com/modecrawl/modecrawl
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X $(PKG)/internal/version.Version=$(VERSION)
BIN       := bin/modecrawl
GOLANGCI_VERSION ?= v2.15.0
GOLANGCI  := $(shell $(GO) env GOPATH)/bin/golangci-lint

.PHONY: all build test test-race test-short lint lint-install fmt tidy-check golden bench demo fuzz clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/modecrawl

## test: the full test suite with the race detector (what CI runs).
test:
	$(GO) test -race -count=1 ./...

test-short:
	$(GO) test -short ./...

test-race: test

## golden: rewrite golden files under testdata/ from the current code.
golden:
	$(GO) test ./... -update

## demo: build and run a full crawl against the embedded sample workspace.
demo: build
	./$(BIN) demo

## bench: run the benchmarks and write the report to bench.out.
bench:
	./scripts/bench.sh

## fuzz: run the lineage fuzz target briefly.
fuzz:
	$(GO) test ./internal/lineage -run '^$$' -fuzz FuzzAnalyze -fuzztime 30s

lint-install:
	@test -x $(GOLANGCI) || $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)

lint: lint-install
	$(GOLANGCI) run ./...

fmt:
	gofmt -s -w $$(git ls-files '*.go')

tidy-check:
	$(GO) mod tidy
	git diff --exit-code go.mod go.sum

clean:
	rm -rf bin modecrawl-out modecrawl-demo-out bench.out
