#!/usr/bin/env bash
# Runs every check tollgate has: formatting, vet, all tests (with the race
# detector on the data plane), every fuzz target's seed corpus, and each
# benchmark once so none of them rots, and the load harness in its short mode
# (it prints the table of docs/performance.md and fails only when a gateway
# answers statuses the load does not ask for). Installs what the tests need
# when it is missing (a Go toolchain must be present; redis-server, wrk and
# nginx come from Debian's packages).
set -euo pipefail
cd "$(dirname "$0")/.."

need_debian_package() { # command package
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "test.sh: installing $2 (needed by the tests)" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$2" >/dev/null
}

command -v go >/dev/null || { echo "test.sh: Go 1.26 is required (https://go.dev/dl/)" >&2; exit 1; }
need_debian_package redis-server redis-server
need_debian_package wrk wrk
need_debian_package /usr/sbin/nginx nginx   # Debian's nginx is not on a user's PATH
need_debian_package chromium chromium
# Tests that need a real redis-server, wrk, nginx or browser fail instead of
# skipping when it is missing.
export TOLLGATE_REQUIRE_REDIS=1 TOLLGATE_REQUIRE_LOADTOOLS=1 TOLLGATE_REQUIRE_BROWSER=1

echo "== gofmt"
unformatted=$(find . -name '*.go' -not -path './.git/*' -print0 | xargs -0 gofmt -l)
if [ -n "$unformatted" ]; then
  echo "gofmt would change:" >&2; echo "$unformatted" >&2; exit 1
fi

echo "== go vet"
go vet ./...

echo "== benchmarks, once each"
go test -run '^$' -bench . -benchtime 1x ./... >/dev/null

echo "== race detector on the data plane"
go test -race -count 1 ./internal/gateway/...

echo "== go test"
go test -count 1 ./...

echo "== load harness, short (speed is reported, not asserted)"
./scripts/load.sh --short --profile --profile-duration 1s
