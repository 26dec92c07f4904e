#!/usr/bin/env bash
# Measures tollgate under load against a bare Go reverse proxy and nginx (see
# docs/performance.md). Flags go to the harness: --short, --rounds N,
# --duration 10s, --connections 32, --variants keepalive,newconn,bodies,failing,tls,tls-h2,
# --targets tollgate,bare,nginx, --extra-target NAME='ARGS', --markdown, --profile.
# Needs Go; uses wrk and nginx from Debian when they are installed.
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./internal/loadbench/cmd/loadbench "$@"
