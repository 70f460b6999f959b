#!/usr/bin/env bash
# Serve benchmark (make bench): load N realistic nested services (default
# 100,000) through the hsds_api collector from a generated feed, start
# `localoffer serve --no-schedule`, and drive it from a second process on
# loopback (scripts/servebench): /services/{id}, /services?per_page=100 and
# format=ndjson of everything, with the server's memory sampled throughout.
# Exit status 1 when a target is missed. N=2000 ./scripts/bench-serve.sh for a quick look.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
DURATION=${DURATION:-20s}
CONC=${CONC:-8}
work=$(mktemp -d "${TMPDIR:-/var/tmp}/localoffer-bench-serve.XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/localoffer" ./cmd/localoffer
go build -o "$work/servebench" ./scripts/servebench

wait_line() { # file pattern: wait up to 10 minutes for a line, print it
	for _ in $(seq 1 6000); do
		if line=$(grep -m1 "$2" "$1" 2>/dev/null); then echo "$line"; return 0; fi
		sleep 0.1
	done
	echo "timed out waiting for $2 in $1" >&2
	return 1
}

"$work/servebench" feed -n "$N" >"$work/feed.out" &
pids+=($!)
feed=$(wait_line "$work/feed.out" '^http://')

cat >"$work/pipelines.yaml" <<YAML
warehouse: {driver: embedded, path: $work/warehouse}
http: {user_agent: "localoffer-bench", per_host_rps: 1000, concurrency: 4, timeout: 120s, ignore_robots: true}
pipelines:
  - name: bench-directory
    schedule: "@daily"
    collector: {type: hsds_api, url: "$feed", per_page: 1000}
YAML

echo "== loading $N services from $feed (load average $(cut -d' ' -f1-3 /proc/loadavg))"
start=$(date +%s)
"$work/localoffer" run --config "$work/pipelines.yaml" 2>"$work/run.log"
echo "loaded in $(( $(date +%s) - start )) s"
kill "${pids[0]}"

"$work/localoffer" serve --config "$work/pipelines.yaml" --no-schedule --addr 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.log" &
serve_pid=$!
pids+=($serve_pid)
start=$(date +%s)
url=$(wait_line "$work/serve.out" '^localoffer: serving ' | sed 's/^localoffer: serving //')
# CPU seconds the server spent starting (mostly the snapshot build): less load-dependent than wall time.
cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14+$15)/hz}' "/proc/$serve_pid/stat")
echo "== serve ready at $url after $(( $(date +%s) - start )) s, ${cpu} CPU s (snapshot: $(grep -o '"took":"[^"]*"' "$work/serve.log" | head -1))"

"$work/servebench" load -base "$url" -pid "$serve_pid" -d "$DURATION" -c "$CONC"
status=$?
kill -TERM "$serve_pid"
exit $status
