#!/usr/bin/env bash
# Runs the benchmark with a throwaway loopback RabbitMQ broker (as the tests do), so every figure is measured.
set -uo pipefail
cd "$(dirname "$0")/.."
broker_dir=$(mktemp -d)
trap 'scripts/rabbitmq.sh stop "$broker_dir"; rm -rf "$broker_dir"' EXIT
PHARMACYRX_BENCH_RABBITMQ=$(scripts/rabbitmq.sh start "$broker_dir") || exit 1
export PHARMACYRX_BENCH_RABBITMQ
dotnet run -c Release --project bench/PharmacyRx.Benchmarks -- "$@"
