#!/usr/bin/env bash
# A throwaway 3-node RabbitMQ cluster for the broker-failure tests: three scripts/rabbitmq.sh brokers on loopback (node
# pharmacyrx-test-PORT@localhost, AMQP on PORT, distribution on PORT+20000), one Erlang cookie, formed by classic_config
# peer discovery as deploy/rabbitmq/rabbitmq.conf forms the chain's. Quorum queues replicate across the three.
#   scripts/rabbitmq-cluster.sh start DIR       prints host:port,host:port,host:port once all three run as one cluster
#   scripts/rabbitmq-cluster.sh kill DIR N      kills node N (1-3) at once, as a crash would
#   scripts/rabbitmq-cluster.sh restart DIR N   starts node N again; it rejoins the cluster with its data
#   scripts/rabbitmq-cluster.sh stop DIR
set -uo pipefail
cd "$(dirname "$0")/.."

action=${1:?start, kill, restart or stop}
dir=${2:?data folder}
base=${PHARMACYRX_TEST_RABBITMQ_CLUSTER_PORT:-5742}
ports=("$base" "$((base + 1))" "$((base + 2))")
export PHARMACYRX_TEST_RABBITMQ_PEERS="${ports[*]}"

node() {  # node ACTION PORT
  PHARMACYRX_TEST_RABBITMQ_PORT=$2 scripts/rabbitmq.sh "$1" "$dir/node-$2"
}

case "$action" in
  start)
    mkdir -p "$dir"
    cookie=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
    for port in "${ports[@]}"; do
      mkdir -p "$dir/node-$port"
      printf '%s' "$cookie" > "$dir/node-$port/.erlang.cookie"
      chmod 400 "$dir/node-$port/.erlang.cookie"
    done
    # One at a time: the first finds no peer and starts the cluster, each next one joins it.
    for port in "${ports[@]}"; do
      node start "$port" >/dev/null || { echo "cluster node $port did not start" >&2; exit 1; }
    done
    if ! HOME="$dir/node-$base" RABBITMQ_NODENAME="pharmacyrx-test-$base@localhost" ERL_EPMD_ADDRESS=127.0.0.1 \
        /usr/lib/rabbitmq/bin/rabbitmqctl -q await_online_nodes 3 --timeout 60 >&2; then
      echo "the three nodes did not form one cluster" >&2
      exit 1
    fi
    printf '127.0.0.1:%s,127.0.0.1:%s,127.0.0.1:%s\n' "${ports[@]}"
    ;;
  kill)
    node kill "${ports[$((${3:?node 1-3} - 1))]}"
    ;;
  restart)
    node start "${ports[$((${3:?node 1-3} - 1))]}" >/dev/null
    ;;
  stop)
    for port in "${ports[@]}"; do
      [ -d "$dir/node-$port" ] && node stop "$port"
    done
    exit 0
    ;;
esac
