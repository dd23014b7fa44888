#!/usr/bin/env bash
# Runs every test suite and ends with one line: "N passed, N failed, N skipped".
# The README's test command and what .ci/run calls. With --fast: the suites that need no broker, browser or network
# (the rules and the storage, on SQLite), about a minute on two cores, for a developer between changes.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--fast" ]; then
  dotnet build PharmacyRx.sln --configuration Release -v quiet -nologo || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
  dotnet test tests/PharmacyRx.Core.Tests --configuration Release --no-build 2>&1 | tee "$log"
  core=${PIPESTATUS[0]}
  dotnet test tests/PharmacyRx.Storage.Tests --configuration Release --no-build 2>&1 | tee -a "$log"
  storage=${PIPESTATUS[0]}
  read -r passed failed skipped < <(awk '/(Passed|Failed)! +- +Failed:/ { gsub(/,/, ""); for (i = 1; i <= NF; i++) {
      if ($i == "Failed:") f += $(i + 1); if ($i == "Passed:") p += $(i + 1); if ($i == "Skipped:") s += $(i + 1) } }
    END { printf "%d %d %d\n", p, f, s }' "$log")
  if [ $(( core | storage )) -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1   # a test host crashed: never report green
  fi
  echo "$passed passed, $failed failed, $skipped skipped"
  exit $(( core | storage ))
fi

log=$(mktemp)
broker_dir=$(mktemp -d)
trap 'scripts/rabbitmq.sh stop "$broker_dir"; rm -rf "$log" "$broker_dir"' EXIT

# The broker tests run against a real RabbitMQ on loopback. In CI a broker that will not start is a failure;
# elsewhere those tests report themselves ignored, with the reason.
if broker=$(scripts/rabbitmq.sh start "$broker_dir"); then
  export PHARMACYRX_TEST_RABBITMQ="$broker"
  echo "RabbitMQ test broker on $broker"
elif [ "${CI:-}" = "true" ]; then
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

# The console's browser tests drive Debian's chromium and run axe-core, fetched from npm into .cache/axe-core/ (the
# tests serve it to the page themselves). In CI a browser or axe-core that is missing makes those tests fail.
# The metrics tests (tests/PharmacyRx.Host.Tests/Operations/) run Debian's prometheus and prometheus-alertmanager on
# loopback with deploy/prometheus/, and promtool and amtool on it; in CI one that is missing or will not start fails them.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(npm)
monitoring=()
{ command -v prometheus && command -v promtool; } >/dev/null 2>&1 || monitoring+=(prometheus)
{ command -v prometheus-alertmanager && command -v amtool; } >/dev/null 2>&1 || monitoring+=(prometheus-alertmanager)
if [ "${#missing[@]}" -gt 0 ] || [ "${#monitoring[@]}" -gt 0 ]; then
  apt-get update -qq >/dev/null 2>&1 || echo "apt-get update failed" >&2
fi
if [ "${#missing[@]}" -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
    || echo "could not install ${missing[*]}: the browser tests will say so" >&2
fi
if [ "${#monitoring[@]}" -gt 0 ]; then
  # Keep the packages' own services from starting: the tests run their own, on ports of their own.
  [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; added_policy=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${monitoring[@]}" >/dev/null 2>&1 \
    || echo "could not install ${monitoring[*]}: the metrics tests will say so" >&2
  [ "${added_policy:-0}" = 1 ] && rm -f /usr/sbin/policy-rc.d
fi
axe_version=4.14.1
axe_dir=.cache/axe-core
if ! grep -qs "\"version\": \"$axe_version\"" "$axe_dir/package/package.json"; then
  rm -rf "$axe_dir" && mkdir -p "$axe_dir" \
    && (cd "$axe_dir" && npm pack "axe-core@$axe_version" --silent >/dev/null && tar xzf "axe-core-$axe_version.tgz" && rm "axe-core-$axe_version.tgz") \
    || echo "could not fetch axe-core $axe_version: the browser tests will say so" >&2
fi
# The sign-in tests run a certified OpenID provider on loopback: oidc-provider from npm, installed with its dependencies
# into .cache/oidc-provider/ and run by Node (tests/PharmacyRx.Host.Tests/Access/oidc-provider/provider.mjs).
oidc_version=9.13.3
oidc_dir=.cache/oidc-provider
if ! grep -qs "\"version\": \"$oidc_version\"" "$oidc_dir/node_modules/oidc-provider/package.json"; then
  rm -rf "$oidc_dir" && mkdir -p "$oidc_dir" \
    && (cd "$oidc_dir" && echo '{"private":true}' >package.json \
      && npm install --silent --no-audit --no-fund "oidc-provider@$oidc_version" >/dev/null) \
    || echo "could not fetch oidc-provider $oidc_version: the sign-in tests will say so" >&2
fi

# Each test assembly's results as TRX in TestResults/ (this run's only), which `pharmacyrx compliance --test-results
# TestResults` reads: every test with the paragraphs it proves ([Property("Rule", ...)]) and its outcome.
results=TestResults
rm -f "$results"/*.trx
# Everything is built before any suite runs: a test may read another suite's assembly (RuleCoverageTests reads every
# suite's [Property("Rule", ...)]), and dotnet test builds and runs the suites in whatever order they finish.
dotnet build PharmacyRx.sln --configuration Release 2>&1 | tee "$log"
built=${PIPESTATUS[0]}
dotnet test PharmacyRx.sln --configuration Release --no-build --logger "trx" --results-directory "$results" 2>&1 | tee -a "$log"
status=$(( ${PIPESTATUS[0]} | built ))

# One summary line per test assembly, e.g. "Passed!  - Failed: 0, Passed: 42, Skipped: 0, Total: 42, ...".
read -r passed failed skipped assemblies < <(awk '
  /(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+, +Skipped: +[0-9]+/ {
    gsub(/,/, ""); for (i = 1; i <= NF; i++) {
      if ($i == "Failed:") f += $(i + 1); if ($i == "Passed:") p += $(i + 1); if ($i == "Skipped:") s += $(i + 1)
    }
    n++
  }
  END { printf "%d %d %d %d\n", p, f, s, n }' "$log")

expected=$(ls -d tests/*.Tests | wc -l)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1   # the build broke or a test host crashed: never report green
fi
if [ "$assemblies" -lt "$expected" ]; then
  echo "only $assemblies of $expected test assemblies reported results" >&2
  failed=$((failed + expected - assemblies))
fi

echo "test results: $results/*.trx (pharmacyrx compliance --test-results $results)" >&2
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
