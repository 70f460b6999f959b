#!/usr/bin/env bash
# Installs what localoffer needs and a fresh machine lacks, idempotently:
#   - Go module dependencies (go mod download);
#   - libchdb, the embedded ClickHouse engine (~560 MB unpacked), from the npm
#     registry package @chdb/lib-linux-x64-gnu at a pinned version, into a cache
#     outside the repository. Never committed;
#   - poppler-utils (pdftotext, pdfinfo) from Debian, to read schools' PDF reports;
#   - with --test: Debian's chromium, which the gap report's browser test opens.
# A second run is a fast no-op.
set -euo pipefail

CHDB_VERSION="${CHDB_VERSION:-26.5.3}"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/localoffer"
LIB_DIR="$CACHE_ROOT/chdb-$CHDB_VERSION"
LIB="$LIB_DIR/libchdb.so"
WITH_TEST_TOOLS=0
[ "${1:-}" = "--test" ] && WITH_TEST_TOOLS=1

say() { echo "setup: $*" >&2; }

command -v go >/dev/null || { say "Go is required (https://go.dev/dl/); this machine image ships it at /usr/local/go"; exit 1; }

# Debian packages, installed only when missing and only as root; otherwise say what to install.
apt_updated=0
need_deb() { # need_deb COMMAND PACKAGE WHY
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    say "$3 needs '$1': install the Debian package $2 (tests that need it skip and say so)"
    return 0
  fi
  if [ $apt_updated = 0 ]; then
    say "apt-get update"; DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || true
    apt_updated=1
  fi
  say "installing $2 ($3)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null || say "could not install $2; $3 will be unavailable"
}
need_deb pdftotext poppler-utils "reading PDF SEN information reports"
if [ $WITH_TEST_TOOLS = 1 ]; then
  need_deb chromium chromium "the gap report's headless-browser test"
  # The official ClickHouse JavaScript client, for the /clickhouse/ endpoint's
  # client test, pinned, into the cache outside the repository (the test skips without it).
  CHJS_VERSION="1.23.1"
  CHJS_DIR="$CACHE_ROOT/clickhouse-js"
  if ! grep -qs "\"version\": \"$CHJS_VERSION\"" "$CHJS_DIR/node_modules/@clickhouse/client/package.json"; then
    if command -v npm >/dev/null 2>&1; then
      say "installing @clickhouse/client $CHJS_VERSION into $CHJS_DIR (test only)"
      mkdir -p "$CHJS_DIR"
      [ -f "$CHJS_DIR/package.json" ] || echo '{"private": true}' > "$CHJS_DIR/package.json"
      (cd "$CHJS_DIR" && npm install --silent --no-audit --no-fund "@clickhouse/client@$CHJS_VERSION" >/dev/null 2>&1) \
        || say "could not install @clickhouse/client; its endpoint test will skip"
    else
      say "npm is missing: the ClickHouse JavaScript client test will skip"
    fi
  fi
fi

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
