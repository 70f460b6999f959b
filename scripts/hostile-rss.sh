#!/usr/bin/env bash
# Peak memory of `localoffer run` on hostile archives, measured with
# /usr/bin/time -v for the whole process (libchdb's own ~360 MB included).
# The trust-boundary target: every case under LIMIT_MB (default 800).
#   baseline          a ten-row CSV: what the process costs doing almost nothing
#   dp-repeat         a data package zip listing one 16 MB table three times (one entry)
#   dp-distinct       a 16 MB table (70,000 wider rows) stored as three entries, each inflated and read
#   xlsx-strings-over an XLSX whose shared strings table has 2,000,000 items (refused: over the cap)
#   xlsx-strings-cap  an XLSX at the cap: 1,000,000 shared strings, 20,000 rows
# `make bench` runs it. Exit 1 when a case is over the limit.
set -euo pipefail
LIMIT_MB="${LIMIT_MB:-800}"
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "hostile-rss: needs /usr/bin/time (Debian package 'time')" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
go build -o "$work/localoffer" ./cmd/localoffer
go run ./scripts/hostilegen "$work/in"
printf 'id,name\n' > "$work/in/baseline.csv"
for i in $(seq 1 10); do printf 'prov-%d,Provider %d\n' "$i" "$i" >> "$work/in/baseline.csv"; done

declare -A collector=(
  [baseline]="{type: spreadsheet, path: $work/in/baseline.csv, mapping: {id: id, name: name}}"
  [dp-repeat]="{type: hsds_datapackage, path: $work/in/dp-repeat.zip}"
  [dp-distinct]="{type: hsds_datapackage, path: $work/in/dp-distinct.zip}"
  [xlsx-strings-over]="{type: spreadsheet, path: $work/in/xlsx-strings-over.xlsx, sheet: Providers, mapping: {id: ID, name: Name}}"
  [xlsx-strings-cap]="{type: spreadsheet, path: $work/in/xlsx-strings-cap.xlsx, sheet: Providers, mapping: {id: ID, name: Name}}"
)
status=0
printf '%-18s %5s %9s  %s\n' CASE EXIT PEAK_MB RESULT
for name in baseline dp-repeat dp-distinct xlsx-strings-over xlsx-strings-cap; do
  cfg="$work/$name.yaml"
  cat > "$cfg" <<YAML
warehouse: {path: $work/$name-warehouse}
pipelines:
  - name: $name
    collector: ${collector[$name]}
YAML
  set +e
  /usr/bin/time -v "$work/localoffer" run --config "$cfg" > "$work/$name.out" 2> "$work/$name.err"
  code=$?
  set -e
  kb="$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$work/$name.err")"
  mb=$(( ${kb:-0} / 1024 ))
  # The pipeline's summary row: status, records, …, reason.
  result="$(awk -v p="$name" '$1 == p {$1=""; print}' "$work/$name.out" | tr -s ' ' | cut -c2-150)"
  printf '%-18s %5s %9s  %s\n' "$name" "$code" "$mb" "$result"
  if [ "$mb" -gt "$LIMIT_MB" ]; then
    echo "hostile-rss: $name peaked at $mb MB, over the $LIMIT_MB MB limit" >&2
    status=1
  fi
done
echo "$(uptime | sed 's/.*load average/load average/')"
exit $status
