#!/usr/bin/env bash
# Runs the benchmark with a throwaway loopback RabbitMQ broker (as the tests do), so every figure is measured.
#   scripts/bench.sh [benchmark arguments]       e.g. scripts/bench.sh, scripts/bench.sh export, scripts/bench.sh verify
#   scripts/bench.sh compare [REV] [MESSAGES]    ingest before (REV, default c6af145: the service before the sender-boundary work's
#                                                coverage) and after (this checkout), built side by side and run in
#                                                turns in the same run, so both see the same machine and disk.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "compare" ]; then
  rev=${2:-c6af145}
  count=${3:-30000}
  before=$(mktemp -d)
  trap 'rm -rf "$before"' EXIT
  git archive "$rev" | tar -x -C "$before" || exit 1
  dotnet build -c Release "$before/bench/PharmacyRx.Benchmarks" -o "$before/before" >/dev/null || exit 1
  dotnet build -c Release bench/PharmacyRx.Benchmarks -o "$before/now" >/dev/null || exit 1
  unset PHARMACYRX_BENCH_RABBITMQ
  for round in 1 2; do
    for side in before now; do
      label=$([ "$side" = before ] && echo "before ($rev)" || echo "after ($(git rev-parse --short HEAD))")
      dotnet "$before/$side/PharmacyRx.Benchmarks.dll" "$count" 2>&1 \
        | grep -E '^(raw SQLite insert|pipeline ingest|pipeline / raw)' | sed "s/^/round $round, $label: /"
    done
  done
  exit 0
fi

broker_dir=$(mktemp -d)
trap 'scripts/rabbitmq.sh stop "$broker_dir"; rm -rf "$broker_dir"' EXIT
PHARMACYRX_BENCH_RABBITMQ=$(scripts/rabbitmq.sh start "$broker_dir") || exit 1
export PHARMACYRX_BENCH_RABBITMQ
dotnet run -c Release --project bench/PharmacyRx.Benchmarks -- "$@"
