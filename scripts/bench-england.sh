#!/usr/bin/env bash
# Simulated England benchmark (make bench; issue 19): one loopback server
# (scripts/feedbench) serving an ORUK 3.0 API per local authority in
# schema/lacodes (153), each with its own providers and postcodes, service
# names repeating across councils and one national charity in every one; all
# 153 hsds_api pipelines in one pipelines.yaml and one `localoffer run`
# (start-up to exit, into a fresh embedded warehouse), measured with
# /usr/bin/time -v, at 300 and then 600 services a council.
#
#   ./scripts/bench-england.sh                         153 councils × 300, then × 600
#   SIZES=300 ./scripts/bench-england.sh               one size only
#   COUNCILS=10 SIZES="30 60" ./scripts/bench-england.sh   a quick look
#   PARALLEL=8 ./scripts/bench-england.sh              run --parallel (default: run's own default)
#
# Per-pipeline overhead comes two ways: from the ledger (each run's own
# duration in the runs table), and from the two sizes, fitting
# T(n) = councils × overhead + councils × n × per-service cost to the wall and
# CPU figures (needs exactly two sizes, the second twice the first).
set -euo pipefail
cd "$(dirname "$0")/.."
COUNCILS=${COUNCILS:-153}
SIZES=${SIZES:-300 600}
PARALLEL=${PARALLEL:-}
work=$(mktemp -d "${TMPDIR:-/var/tmp}/localoffer-bench-england.XXXXXX")
srv=""
stop_server() {
	if [ -n "$srv" ]; then kill "$srv" 2>/dev/null || true; wait "$srv" 2>/dev/null || true; srv=""; fi
}
cleanup() {
	stop_server
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p bin
go build -o bin/localoffer ./cmd/localoffer
go build -o "$work/feedbench" ./scripts/feedbench
echo "== machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(awk '/MemTotal/{printf "%.0f GB", $2/1048576}' /proc/meminfo), $(go version | cut -d' ' -f3)"

secs() { # "h:mm:ss" or "m:ss.ss" → seconds
	awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }' <<<"$1"
}

declare -A WALL CPU
for n in $SIZES; do
	d="$work/n$n"
	mkdir -p "$d"
	"$work/feedbench" serve -councils "$COUNCILS" -per-council "$n" >"$d/feed.out" 2>"$d/feed.err" &
	srv=$!
	for _ in $(seq 1 3000); do
		grep -q '^ready' "$d/feed.out" 2>/dev/null && break
		kill -0 "$srv" 2>/dev/null || { cat "$d/feed.err" >&2; exit 1; }
		sleep 0.1
	done
	{
		echo "warehouse: {driver: embedded, path: $d/warehouse}"
		echo "http: {user_agent: \"localoffer-bench\", per_host_rps: 100000, concurrency: 16, timeout: 120s}"
		echo "pipelines:"
		awk '/^council /{ printf "  - name: la-%s\n    schedule: \"@weekly\"\n    area: %s\n    collector: {type: hsds_api, url: \"%s\", per_page: 100}\n", tolower($2), $2, $3 }' "$d/feed.out"
	} >"$d/pipelines.yaml"
	pipelines=$(grep -c '^  - name:' "$d/pipelines.yaml")
	echo "== $pipelines councils × $n services: $(cat "$d/feed.err")"
	load_before=$(cut -d' ' -f1-3 /proc/loadavg)
	par=()
	[ -n "$PARALLEL" ] && par=(--parallel "$PARALLEL")
	if ! /usr/bin/time -v -o "$d/time.txt" bin/localoffer run --config "$d/pipelines.yaml" "${par[@]}" >"$d/run.out" 2>"$d/run.log"; then
		echo "run failed:" >&2
		tail -20 "$d/run.log" >&2
		exit 1
	fi
	stop_server
	wall=$(secs "$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$d/time.txt")")
	user=$(awk -F': ' '/User time/{print $2}' "$d/time.txt")
	sys=$(awk -F': ' '/System time/{print $2}' "$d/time.txt")
	rss=$(awk -F': ' '/Maximum resident set size/{print $2}' "$d/time.txt")
	services=$(bin/localoffer query --config "$d/pipelines.yaml" --format csv "SELECT count() FROM services_current" | tail -1)
	WALL[$n]=$wall
	CPU[$n]=$(awk -v u="$user" -v s="$sys" 'BEGIN{print u + s}')
	awk -v n="$services" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v l="$load_before" -v p="$pipelines" 'BEGIN {
		cpu = u + s
		printf "   %d services  wall %.1f s  %.0f services/s  CPU %.1f s (user %.1f + sys %.1f), %.3f CPU-s per 1,000  %.2f cores  peak RSS %.0f MB  load before %s\n",
			n, w, n / w, cpu, u, s, cpu * 1000 / n, cpu / w, r / 1024, l }'
	echo "   load now: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "   ledger: runs by status, and each pipeline's own run (start to finish, after-run steps included)"
	bin/localoffer query --config "$d/pipelines.yaml" "SELECT status, count() AS runs, sum(records_loaded) AS loaded, sum(records_quarantined) AS quarantined, sum(flags_raised) AS flags, round(avg(dateDiff('millisecond', started_at, finished_at)) / 1000, 2) AS avg_run_s, round(quantile(0.5)(dateDiff('millisecond', started_at, finished_at)) / 1000, 2) AS median_run_s, round(max(dateDiff('millisecond', started_at, finished_at)) / 1000, 2) AS max_run_s, round(sum(dateDiff('millisecond', started_at, finished_at)) / 1000, 1) AS sum_run_s FROM runs FINAL GROUP BY status" | sed 's/^/   /'
	echo "   the first three and last three pipelines to finish (how a pipeline's time grows with the warehouse):"
	bin/localoffer query --config "$d/pipelines.yaml" "SELECT n AS finished, pipeline, run_s FROM (SELECT pipeline, round(dateDiff('millisecond', started_at, finished_at) / 1000, 2) AS run_s, row_number() OVER (ORDER BY finished_at) AS n, count() OVER () AS total FROM runs FINAL) WHERE n <= 3 OR n > total - 3 ORDER BY n" | sed 's/^/   /'
	bin/localoffer query --config "$d/pipelines.yaml" "SELECT (SELECT count() FROM services_current) AS services, (SELECT count() FROM organizations_current) AS organizations, (SELECT count() FROM locations_current) AS locations, (SELECT count() FROM flags_current) AS open_flags, (SELECT count() FROM entity_links_current) AS links" | sed 's/^/   /'
	rm -rf "$d/warehouse" "$d/blobs"
done

set -- $SIZES
if [ $# -eq 2 ] && [ "$2" -eq $(($1 * 2)) ]; then
	a=$1 b=$2
	awk -v a="$a" -v b="$b" -v wa="${WALL[$a]}" -v wb="${WALL[$b]}" -v ca="${CPU[$a]}" -v cb="${CPU[$b]}" -v k="$COUNCILS" 'BEGIN {
		printf "== %d/%d ratio: wall %.2f×, CPU %.2f× (linear would be 2.00×)\n", b, a, wb / wa, cb / ca
		# T(n) = k*o + k*n*c, two sizes: c = (Tb - Ta)/(k*(b-a)), o = (Ta - k*a*c)/k
		cw = (wb - wa) / (k * (b - a)); ow = (wa - k * a * cw) / k
		cc = (cb - ca) / (k * (b - a)); oc = (ca - k * a * cc) / k
		printf "   fitted per pipeline: %.3f CPU-s of fixed cost, %.3f CPU-ms per service\n", oc, cc * 1000
		if (cw > 0 && ow > 0) printf "   fitted by wall: %.3f s per pipeline, %.2f ms per service\n", ow, cw * 1000
		else print "   (wall times too noisy for the fit: the load changed between the two runs)" }'
fi
