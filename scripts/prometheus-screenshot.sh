#!/usr/bin/env bash
# Makes docs/screenshots/prometheus-ingest.png: the service (built, Release) on loopback with a throwaway data folder,
# Debian's Prometheus with deploy/prometheus/ scraping it every 2 s with a monitoring key, a load of synthetic NewRx
# messages posted to /api/inbound for SECONDS (default 180) by WORKERS curl loops (default 6), then Chromium's headless
# screenshot of Prometheus's graph page. Everything runs on 127.0.0.1 and is stopped at the end.
#   scripts/prometheus-screenshot.sh [SECONDS] [WORKERS]
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-180}
workers=${2:-6}
bin=src/PharmacyRx.Host/bin/Release/net10.0/pharmacyrx
dir=$(mktemp -d)
service_port=5392
prometheus_port=9392
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$dir"' EXIT
export PHARMACYRX_KEY_PASSWORD=synthetic-screenshot-key-1

"$bin" init --data "$dir/data" >/dev/null || exit 1
"$bin" users add monitor --full-name "Synthetic Monitor" --initials SM --service --role Auditor --data "$dir/data" >/dev/null || exit 1
"$bin" users api-key monitor --label prometheus --data "$dir/data" | sed 's/.*"apiKey":"\([^"]*\)".*/\1/' > "$dir/monitoring.key"
chmod 600 "$dir/monitoring.key"
sender_key=$("$bin" senders add loadgen --any-from --data "$dir/data" | sed 's/.*"apiKey":"\([^"]*\)".*/\1/')

"$bin" serve --data "$dir/data" --urls "http://127.0.0.1:$service_port" > "$dir/serve.log" 2>&1 &
pids+=($!)
sed -e 's/scrape_interval: 15s/scrape_interval: 2s/' -e 's/evaluation_interval: 15s/evaluation_interval: 2s/' \
    -e "s#/etc/prometheus/pharmacyrx-rules.yml#$PWD/deploy/prometheus/pharmacyrx-rules.yml#" \
    -e "s#/etc/prometheus/pharmacyrx-monitoring.key#$dir/monitoring.key#" \
    -e "s#127.0.0.1:5080#127.0.0.1:$service_port#" deploy/prometheus/prometheus.yml > "$dir/prometheus.yml"
prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/tsdb" --web.listen-address="127.0.0.1:$prometheus_port" > "$dir/prometheus.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$service_port/health/live" >/dev/null && break; sleep 1; done

end=$((SECONDS + seconds))
for w in $(seq 1 "$workers"); do
  (
    i=0
    while [ $SECONDS -lt $end ]; do
      i=$((i + 1))
      sed "s/SAMPLE-0001/LOAD-$w-$i/" deploy/samples/01-newrx-receipt-signed.xml \
        | curl -s -o /dev/null -H "X-Api-Key: $sender_key" -H "Content-Type: application/xml" --data-binary @- "http://127.0.0.1:$service_port/api/inbound"
    done
  ) &
  pids+=($!)
done
wait "${pids[@]:2}"
sleep 5

query() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
range=$(( (seconds + 60) / 60 ))m
url="http://127.0.0.1:$prometheus_port/graph?g0.expr=$(query 'sum by (door, status) (rate(pharmacyrx_receipts_total[30s]))')&g0.tab=0&g0.range_input=$range"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1366,900 --virtual-time-budget=20000 \
  --screenshot="$PWD/docs/screenshots/prometheus-ingest.png" "$url" 2>/dev/null
echo "received: $(curl -s "http://127.0.0.1:$prometheus_port/api/v1/query?query=sum(pharmacyrx_receipts_total)")"
