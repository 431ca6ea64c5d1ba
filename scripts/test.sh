#!/usr/bin/env bash
# Install everything the tests need (Python packages, RabbitMQ, Chromium), start
# RabbitMQ if it is not running, and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v rabbitmq-server >/dev/null 2>&1 || [ -x /usr/sbin/rabbitmq-server ] || missing+=(rabbitmq-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

start_rabbitmq() {
    echo "starting RabbitMQ"
    as_root rabbitmq-server -detached || true
    as_root timeout 120 rabbitmqctl -q await_startup
}

# A real AMQP handshake, not just an open port: a node can accept TCP and still
# never answer.
amqp_answers() {
    timeout 15 python3 - <<'PY'
import socket, sys
try:
    with socket.create_connection(("127.0.0.1", 5672), timeout=5) as s:
        s.settimeout(10)
        s.sendall(b"AMQP\x00\x00\x09\x01")
        sys.exit(0 if s.recv(8)[:1] == b"\x01" else 1)  # connection.start frame
except OSError:
    sys.exit(1)
PY
}

if ! as_root timeout 60 rabbitmqctl -q status >/dev/null 2>&1; then
    start_rabbitmq
fi
as_root timeout 120 rabbitmqctl -q await_startup
if ! amqp_answers; then
    echo "RabbitMQ runs but does not answer AMQP: restarting it" >&2
    as_root timeout 60 rabbitmqctl -q stop >/dev/null 2>&1 || as_root pkill -9 -f beam.smp || true
    start_rabbitmq
    if ! amqp_answers && [ "${CI:-}" = "true" ]; then
        # Only on a CI machine: the node's own state is what keeps it stuck.
        echo "still no answer: resetting the CI node's data" >&2
        as_root pkill -9 -f beam.smp || true
        data="/var/lib/rabbitmq/mnesia"
        as_root mv "$data" "$data.stuck.$(date +%s)"
        start_rabbitmq
    fi
    amqp_answers || { echo "RabbitMQ on 127.0.0.1:5672 does not answer" >&2; exit 1; }
fi

scripts/install.sh "ml,train,test"

set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: failing on purpose" >&2
    exit 1
fi
exit "$status"
