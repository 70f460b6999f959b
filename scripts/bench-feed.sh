#!/usr/bin/env bash
# Real-shaped feed benchmark (make bench; issue 19): N nested ORUK 3.0
# services of about 2.8 KB (scripts/feedbench, shapes from real council
# feeds) served 100 a page by a keep-alive loopback server, loaded by the WHOLE
# `localoffer run` (start-up to exit, migrations included) into a fresh
# embedded warehouse, measured with /usr/bin/time -v. RUNS runs (default 3),
# then the median; then a Python peer that fetches and validates the same pages.
#
#   ./scripts/bench-feed.sh                 20,000 services, 3 runs
#   N=2000 RUNS=1 ./scripts/bench-feed.sh   a quick look
#   CAPTURE=0 ./scripts/bench-feed.sh       without the engine floor (by default the last run
#                                           keeps its insert files, LOCALOFFER_CAPTURE_INSERTS, and
#                                           feedbench replay loads them into the real tables and Null)
#   PROFILE=/tmp/feed.pprof ./scripts/bench-feed.sh   the last run also writes a CPU profile of the
#                                           whole process there (LOCALOFFER_CPUPROFILE) and prints its top
#
# Wall figures depend on what else the machine runs: the load average and CPU
# seconds are printed with every figure.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-20000}
RUNS=${RUNS:-3}
CAPTURE=${CAPTURE:-1}
PROFILE=${PROFILE:-}
SCHEMA=${SCHEMA:-../shared/conformance/hsds-3.0/schema/compiled/service.json}
work=$(mktemp -d "${TMPDIR:-/var/tmp}/localoffer-bench-feed.XXXXXX")
srv=""
cleanup() {
	if [ -n "$srv" ]; then kill "$srv" 2>/dev/null || true; wait "$srv" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p bin
go build -o bin/localoffer ./cmd/localoffer
go build -o "$work/feedbench" ./scripts/feedbench

"$work/feedbench" serve -services "$N" >"$work/feed.out" 2>"$work/feed.err" &
srv=$!
for _ in $(seq 1 1200); do
	grep -q '^ready' "$work/feed.out" 2>/dev/null && break
	kill -0 "$srv" 2>/dev/null || { cat "$work/feed.err" >&2; exit 1; }
	sleep 0.1
done
feed=$(awk '/^feed /{print $2}' "$work/feed.out")
[ -n "$feed" ] || { echo "feedbench did not start" >&2; exit 1; }
echo "== $(cat "$work/feed.err") at $feed"
echo "== machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(awk '/MemTotal/{printf "%.0f GB", $2/1048576}' /proc/meminfo), $(go version | cut -d' ' -f3)"

# One fresh warehouse per run, so every run loads every service.
config() { # dir
	cat >"$1/pipelines.yaml" <<YAML
warehouse: {driver: embedded, path: $1/warehouse}
http: {user_agent: "localoffer-bench", per_host_rps: 100000, concurrency: 16, timeout: 120s}
pipelines:
  - name: bench-feed
    schedule: "@daily"
    area: E06000023
    collector: {type: hsds_api, url: "$feed", per_page: 100}
YAML
}

secs() { # "h:mm:ss" or "m:ss.ss" → seconds
	awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }' <<<"$1"
}

results=()
for i in $(seq 1 "$RUNS"); do
	d="$work/run$i"
	mkdir -p "$d"
	config "$d"
	load_before=$(cut -d' ' -f1-3 /proc/loadavg)
	env_capture=()
	if [ "$i" = "$RUNS" ]; then
		if [ "$CAPTURE" = 1 ]; then
			mkdir -p "$work/capture"
			env_capture+=(LOCALOFFER_CAPTURE_INSERTS="$work/capture")
		fi
		[ -n "$PROFILE" ] && env_capture+=(LOCALOFFER_CPUPROFILE="$PROFILE")
	fi
	if ! env "${env_capture[@]}" /usr/bin/time -v -o "$d/time.txt" bin/localoffer run --config "$d/pipelines.yaml" >"$d/run.out" 2>"$d/run.log"; then
		echo "run $i failed:" >&2
		tail -20 "$d/run.log" "$d/run.out" >&2
		exit 1
	fi
	wall=$(secs "$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$d/time.txt")")
	user=$(awk -F': ' '/User time/{print $2}' "$d/time.txt")
	sys=$(awk -F': ' '/System time/{print $2}' "$d/time.txt")
	rss=$(awk -F': ' '/Maximum resident set size/{print $2}' "$d/time.txt")
	services=$(bin/localoffer query --config "$d/pipelines.yaml" --format csv "SELECT count() FROM services_current" | tail -1)
	line=$(awk -v n="$services" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v l="$load_before" 'BEGIN {
		cpu = u + s
		printf "%d services  wall %.2f s  %.0f services/s  CPU %.2f s (user %.2f + sys %.2f) = %.3f CPU-s per 1,000 (%.0f services per CPU-s)  %.2f cores  peak RSS %.0f MB  load before %s",
			n, w, n / w, cpu, u, s, cpu * 1000 / n, n / cpu, cpu / w, r / 1024, l }')
	echo "run $i: $line"
	results+=("$(awk -v n="$services" -v w="$wall" 'BEGIN{printf "%.3f", n / w}') $line")
done
echo "== median of $RUNS (by services/s):"
median=$(printf '%s\n' "${results[@]}" | sort -n | awk -v k="$RUNS" 'NR == int((k + 1) / 2) { $1 = ""; sub(/^ /, ""); print }')
echo "   $median"
echo "   load now: $(uptime | sed 's/.*load average/load average/')"
last="$work/run$RUNS"
echo "== last run's ledger and flags:"
bin/localoffer query --config "$last/pipelines.yaml" "SELECT status, records_loaded, records_quarantined, flags_raised, warnings, round(dateDiff('millisecond', started_at, finished_at) / 1000, 2) AS run_s FROM runs FINAL"
bin/localoffer query --config "$last/pipelines.yaml" "SELECT entity_type, flag, count() AS n FROM flags_current GROUP BY entity_type, flag ORDER BY n DESC"
bin/localoffer query --config "$last/pipelines.yaml" "SELECT (SELECT count() FROM services_current) AS services, (SELECT count() FROM organizations_current) AS organizations, (SELECT count() FROM locations_current) AS locations"

if [ -n "$PROFILE" ]; then
	echo "== CPU profile of the last run ($PROFILE), top 25 by cumulative time:"
	go tool pprof -top -cum -nodecount 25 bin/localoffer "$PROFILE" 2>/dev/null | sed 's/^/   /'
fi

if [ "$CAPTURE" = 1 ]; then
	echo "== engine floor of the last run's inserts (replayed into a fresh warehouse):"
	"$work/feedbench" replay -dir "$work/capture" -warehouse "$work/replay"
fi

if [ ! -x /usr/bin/python3 ]; then
	echo "== Python peer skipped: no /usr/bin/python3"
	exit 0
fi
echo "== Python peer ($(/usr/bin/python3 --version 2>&1)): fetch every page over one keep-alive connection, json.loads, validate each service (jsonschema, HSDS 3.0 compiled service schema)"
if ! /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	echo "   note: /usr/bin/python3 has no jsonschema module (make setup-bench installs python3-jsonschema); the peer only fetches and decodes"
fi
peer=$(/usr/bin/python3 scripts/feedpeer.py "$feed" "$SCHEMA")
read -r _ pn pwall pcpu pinvalid pvalidated <<<"$peer"
ours=$(printf '%s\n' "$median" | awk '{print $6}')
ours_cpu=$(printf '%s\n' "$median" | sed -E 's/.*\(([0-9]+) services per CPU-s\).*/\1/')
awk -v n="$pn" -v w="$pwall" -v c="$pcpu" -v bad="$pinvalid" -v v="$pvalidated" -v ours="$ours" -v ourscpu="$ours_cpu" -v l="$(cut -d' ' -f1-3 /proc/loadavg)" 'BEGIN {
	printf "   peer: %d services  wall %.2f s  %.0f services/s  CPU %.2f s (%.0f services per CPU-s)  invalid %d  validated: %s  load %s\n", n, w, n / w, c, n / c, bad, v, l
	printf "   localoffer run (median) / peer: %.2f× by wall, %.2f× by CPU (services per CPU-s; the peer is one process on one core)\n", ours / (n / w), ourscpu / (n / c) }'
