#!/bin/sh
# End-to-end spreadsheet benchmarks (issue 19 item 6): the whole
# `localoffer run` — start-up, read, map, transform, validate, load into the
# embedded warehouse, after-run steps — under /usr/bin/time -v, on
#   gias:      a 50,000-school GIAS export (140 real columns, ~1.2 KB a row,
#              Windows-1252, CRLF: the shape of edubasealldata*.csv)
#   providers: a 100,000-row provider list XLSX (18 columns)
# Both files are generated (collectors/spreadsheet/internal/samples/gen).
# Prints rows/s, CPU-s (user+sys), peak RSS and the load average beside them.
# Needs libchdb (make setup) and /usr/bin/time. Usage: bench-sheets.sh [gias|providers]...
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/localoffer" ./cmd/localoffer
go build -o "$tmp/gen" ./collectors/spreadsheet/internal/samples/gen
cases=${*:-gias providers}
for c in $cases; do
	case $c in
	gias)
		rows=50000
		"$tmp/gen" -gias-rows $rows -to "$tmp/edubasealldata.csv"
		collector="{type: spreadsheet, path: $tmp/edubasealldata.csv, preset: gias}"
		;;
	providers)
		rows=100000
		"$tmp/gen" -provider-rows $rows -to "$tmp/providers.xlsx"
		collector=$(sed -n '/^    collector:/,$p' examples/providers/pipeline.yaml | sed 1d |
			sed "s#path: providers.xlsx#path: $tmp/providers.xlsx#" | sed 's/^/  /')
		collector="
$collector"
		;;
	*) echo "unknown case $c (gias, providers)" >&2; exit 2 ;;
	esac
	rm -rf "$tmp/var"
	cat > "$tmp/pipelines.yaml" <<YAML
warehouse: {driver: embedded, path: $tmp/var/warehouse}
pipelines:
  - name: bench_$c
    area: E06000044
    schedule: "@daily"
    collector: $collector
YAML
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	/usr/bin/time -v "$tmp/localoffer" run --config "$tmp/pipelines.yaml" >"$tmp/out.txt" 2>"$tmp/time.txt" || {
		cat "$tmp/out.txt" "$tmp/time.txt" >&2
		exit 1
	}
	awk -v rows=$rows -v c=$c -v load="$load" -v size=$(wc -c <"$tmp/$(ls "$tmp" | grep -E '^(edubasealldata.csv|providers.xlsx)$')") '
		/User time/ {u=$NF} /System time/ {s=$NF} /Maximum resident set size/ {rss=$NF}
		/Elapsed \(wall clock\)/ {n=split($NF, p, ":"); w=0; for (i=1; i<=n; i++) w=w*60+p[i]}
		END {printf "%s: %d rows (%.1f MB) in %.2f s wall: %.0f rows/s; %.2f CPU-s (%.1f µs a row); peak RSS %d MB; load %s\n",
			c, rows, size/1e6, w, rows/w, u+s, (u+s)*1e6/rows, rss/1024, load}' "$tmp/time.txt"
	grep "^bench_$c" "$tmp/out.txt" || true
	rm -f "$tmp/edubasealldata.csv" "$tmp/providers.xlsx"
done
