#!/usr/bin/env bash
# Installs what localoffer needs and a fresh machine lacks, idempotently:
#   - Go module dependencies (go mod download);
#   - libchdb, the embedded ClickHouse engine (~560 MB unpacked), from the npm
#     registry package @chdb/lib-linux-x64-gnu at a pinned version, into a cache
#     outside the repository. Never committed.
# A second run is a fast no-op.
set -euo pipefail

CHDB_VERSION="${CHDB_VERSION:-26.5.3}"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/localoffer"
LIB_DIR="$CACHE_ROOT/chdb-$CHDB_VERSION"
LIB="$LIB_DIR/libchdb.so"

say() { echo "setup: $*" >&2; }

command -v go >/dev/null || { say "Go is required (https://go.dev/dl/); this machine image ships it at /usr/local/go"; exit 1; }

# Go modules (the module proxy is reachable; this is quick when cached).
go mod download

if [ -n "${LOCALOFFER_CHDB_LIB:-}" ]; then
  if [ -f "$LOCALOFFER_CHDB_LIB" ]; then
    say "using libchdb from LOCALOFFER_CHDB_LIB=$LOCALOFFER_CHDB_LIB"
    exit 0
  fi
  say "LOCALOFFER_CHDB_LIB=$LOCALOFFER_CHDB_LIB does not exist"; exit 1
fi

if [ -s "$LIB" ]; then
  exit 0
fi

command -v npm >/dev/null || { say "npm is required to fetch libchdb (apt-get install npm), or set LOCALOFFER_CHDB_LIB"; exit 1; }
say "installing libchdb $CHDB_VERSION into $LIB_DIR (one-off download, about 170 MB)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# npm pack verifies the registry's integrity hash of the tarball.
(cd "$tmp" && npm pack --silent "@chdb/lib-linux-x64-gnu@$CHDB_VERSION" >/dev/null 2>"$tmp/npm.log") || { cat "$tmp/npm.log" >&2; say "npm pack failed"; exit 1; }
tar -xzf "$tmp"/chdb-lib-linux-x64-gnu-"$CHDB_VERSION".tgz -C "$tmp" package/libchdb.so
mkdir -p "$LIB_DIR"
# Atomic: a half-copied library never sits at the final path.
mv "$tmp/package/libchdb.so" "$LIB_DIR/.libchdb.so.partial"
mv "$LIB_DIR/.libchdb.so.partial" "$LIB"
say "libchdb installed: $LIB"
