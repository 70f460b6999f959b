# localoffer — two commands on a fresh machine: `make run` and `make test`.
GO      ?= go
BIN     := bin/localoffer
CONFIG  ?= pipelines.yaml

.PHONY: setup setup-test build run test bench clean

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

test: setup-test
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 15m ./...

bench: setup
	$(GO) test -run '^$$' -bench . -benchmem -timeout 60m ./...
	./scripts/hostile-rss.sh
	./scripts/bench-serve.sh

clean:
	rm -rf bin var
