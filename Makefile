# localoffer — two commands on a fresh machine: `make run` and `make test`.
GO      ?= go
BIN     := bin/localoffer
CONFIG  ?= pipelines.yaml

# Linters, pinned. They come through the Go module proxy the first time; after
# that the module cache is tried first as the proxy, so `make lint` works
# offline (`go run pkg@version` alone asks the network for deprecations).
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
DEADCODE    := golang.org/x/tools/cmd/deadcode@v0.52.0
LINTPROXY   := file://$(shell $(GO) env GOMODCACHE)/cache/download,$(shell $(GO) env GOPROXY)

.PHONY: setup setup-test setup-bench build run lint test bench clean

setup:
	@./scripts/setup.sh

setup-test:
	@./scripts/setup.sh --test

build: setup
	$(GO) build -o $(BIN) ./cmd/localoffer

# Runs every pipeline in pipelines.yaml once on the bundled sample (offline) into the
# embedded warehouse, prints the run summary, then the top gaps and the report's path.
run: build
	./$(BIN) run --config $(CONFIG)
	@echo
	./$(BIN) query --config $(CONFIG) "SELECT pipeline, count() AS services, countIf(status = 'active') AS active FROM services_current GROUP BY pipeline ORDER BY pipeline"
	@echo
	./$(BIN) query --config $(CONFIG) "SELECT entity_type, id_a, id_b, score, reason FROM entity_links_current ORDER BY entity_type, id_a, id_b"
	@echo
	./$(BIN) gaps --config $(CONFIG) --format table --limit 15
	./$(BIN) gaps --config $(CONFIG) --format html --out var/gaps-report.html
	@echo "HTML gap report: var/gaps-report.html"
	./$(BIN) annual-report --config $(CONFIG) --la E06000044 --year 2025 --out var/annual-report.html
	@echo "Local Offer annual report (Portsmouth, 2024/25): var/annual-report.html"

# vet, staticcheck (its default checks) and deadcode (functions no program or
# test reaches): all three must be silent.
lint:
	$(GO) vet ./...
	GOPROXY="$(LINTPROXY)" $(GO) run $(STATICCHECK) ./...
	@out=$$(GOPROXY="$(LINTPROXY)" $(GO) run $(DEADCODE) -test ./...) || exit 1; \
	if [ -n "$$out" ]; then echo "$$out"; echo "deadcode: delete the unreachable functions above"; exit 1; fi

test: setup-test lint
	$(GO) test -count=1 -timeout 15m ./...

# The feed benchmark's Python peer validates with jsonschema: Debian's
# python3-jsonschema for /usr/bin/python3, installed when missing (the peer
# runs without validation, and says so, where it cannot be).
setup-bench:
	@/usr/bin/python3 -c 'import jsonschema' 2>/dev/null || \
	{ command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-jsonschema >/dev/null; } || \
	echo "setup-bench: python3-jsonschema not installed; the feed benchmark's Python peer will not validate"

bench: setup setup-bench
	$(GO) test -run '^$$' -bench . -benchmem -timeout 60m ./...
	./scripts/hostile-rss.sh
	./scripts/bench-serve.sh
	./scripts/bench-feed.sh
	./scripts/bench-england.sh
	./scripts/bench-sheets.sh

clean:
	rm -rf bin var
