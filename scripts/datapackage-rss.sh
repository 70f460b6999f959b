#!/bin/sh
# Peak RSS of `localoffer run` (libchdb included) over the hostile data
# package of issue 11: a zip whose 16 MB services table is declared three
# times, stored once and stored three times. Fails above 800 MB.
# Needs libchdb (make setup) and /usr/bin/time.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/localoffer" ./cmd/localoffer
status=0
for variant in same-entry distinct; do
	flag=""
	[ "$variant" = distinct ] && flag="-distinct"
	go run ./scripts/hostilezip $flag "$tmp/$variant.zip"
	rm -rf "$tmp/var"
	cat > "$tmp/pipelines.yaml" <<YAML
warehouse: {driver: embedded, path: $tmp/var/warehouse}
pipelines:
  - name: hostile
    schedule: "@daily"
    collector: {type: hsds_datapackage, path: $tmp/$variant.zip}
YAML
	/usr/bin/time -v "$tmp/localoffer" run --config "$tmp/pipelines.yaml" >"$tmp/out.txt" 2>"$tmp/time.txt" || true
	kb=$(awk '/Maximum resident set size/ {print $NF}' "$tmp/time.txt")
	zip=$(wc -c <"$tmp/$variant.zip")
	echo "hostile data package ($variant, $((zip / 1024)) KiB zip): peak RSS $((kb / 1024)) MiB; $(grep '^hostile' "$tmp/out.txt" | awk '{print $2, $3, "records"}')"
	if [ "$kb" -ge 800000 ]; then
		echo "  above 800 MB" >&2
		status=1
	fi
done
exit $status
