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

if ! as_root timeout 60 rabbitmqctl -q status >/dev/null 2>&1; then
    echo "starting RabbitMQ"
    as_root rabbitmq-server -detached || true
fi
as_root timeout 120 rabbitmqctl -q await_startup

scripts/install.sh "ml,test"

set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: failing on purpose" >&2
    exit 1
fi
exit "$status"
