#!/usr/bin/env bash
# A throwaway RabbitMQ broker for the tests: Debian's rabbitmq-server, installed when missing (as root),
# started on 127.0.0.1 only, with its own data folder, node name and ports, so it never touches a system broker.
#   scripts/rabbitmq.sh start DIR     prints host:port on success (again after kill: the node comes back with its data)
#   scripts/rabbitmq.sh kill DIR      kills the node at once (SIGKILL), as a crash would
#   scripts/rabbitmq.sh stop DIR
# PHARMACYRX_TEST_RABBITMQ_PEERS (ports) makes the node one of a cluster of such brokers (scripts/rabbitmq-cluster.sh).
set -uo pipefail

action=${1:?start or stop}
dir=${2:?data folder}
port=${PHARMACYRX_TEST_RABBITMQ_PORT:-5682}
bin=/usr/lib/rabbitmq/bin

export HOME="$dir"   # the Erlang cookie lives here
export RABBITMQ_NODENAME="pharmacyrx-test-$port@localhost"
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$port
export RABBITMQ_DIST_PORT=$((port + 20000))
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_MNESIA_BASE="$dir/mnesia"
export RABBITMQ_LOG_BASE="$dir/log"
export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
export RABBITMQ_CONFIG_FILE="$dir/rabbitmq"
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
pid_file="$RABBITMQ_MNESIA_BASE/$RABBITMQ_NODENAME.pid"
peers=${PHARMACYRX_TEST_RABBITMQ_PEERS:-}

case "$action" in
  start)
    if [ ! -x "$bin/rabbitmq-server" ] || ! command -v amqp-publish >/dev/null; then
      if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
        echo "rabbitmq-server is not installed and this user cannot install it (needs root and apt-get)" >&2
        exit 1
      fi
      echo "installing rabbitmq-server and amqp-tools with apt-get" >&2
      # Keep the package's own service from starting: the tests run their own broker.
      [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; added_policy=1; }
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server amqp-tools; } >&2
      installed=$?
      [ "${added_policy:-0}" = 1 ] && rm -f /usr/sbin/policy-rc.d
      [ "$installed" -eq 0 ] || { echo "apt-get could not install rabbitmq-server" >&2; exit 1; }
    fi
    mkdir -p "$dir"
    echo '[].' > "$dir/enabled_plugins"
    printf 'loopback_users.guest = true\nlisteners.tcp.default = 127.0.0.1:%s\n' "$port" > "$dir/rabbitmq.conf"
    if [ -n "$peers" ]; then
      # As deploy/rabbitmq/rabbitmq.conf forms the chain's cluster: the nodes find each other by name.
      echo 'cluster_formation.peer_discovery_backend = classic_config' >> "$dir/rabbitmq.conf"
      i=0
      for peer in $peers; do
        i=$((i + 1))
        echo "cluster_formation.classic_config.nodes.$i = pharmacyrx-test-$peer@localhost" >> "$dir/rabbitmq.conf"
      done
    fi
    setsid "$bin/rabbitmq-server" > "$dir/server.out" 2>&1 < /dev/null &
    for _ in $(seq 1 90); do
      if "$bin/rabbitmqctl" -q await_startup --timeout 5 >/dev/null 2>&1; then
        echo "127.0.0.1:$port"
        exit 0
      fi
      sleep 1
    done
    echo "the RabbitMQ broker did not start; its log:" >&2
    tail -n 30 "$dir/server.out" >&2
    exit 1
    ;;
  kill)
    [ -s "$pid_file" ] && kill -9 "$(cat "$pid_file")" 2>/dev/null
    for _ in $(seq 1 30); do
      "$bin/rabbitmqctl" -q ping --timeout 1 >/dev/null 2>&1 || exit 0
      sleep 1
    done
    exit 1
    ;;
  stop)
    "$bin/rabbitmqctl" -q stop >/dev/null 2>&1 || true
    # A node that would not stop is killed: the pid is the one this node wrote, never another broker's.
    if [ -s "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
      kill -9 "$(cat "$pid_file")" 2>/dev/null || true
    fi
    ;;
esac
