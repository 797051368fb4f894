#!/usr/bin/env bash
# Start the service for SYSTEM (woocommerce or customwebshop). With no shop configured, start the matching sandbox,
# seeded with a demo store, and point the service at it, so `curl localhost:5000/entities/order` works at once.
set -euo pipefail
cd "$(dirname "$0")/.."
SYSTEM="${SYSTEM:-woocommerce}"
export SYSTEM PORT="${PORT:-5000}"
sandbox_pid=""
trap '[ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null || true' EXIT

start_sandbox() {  # module port: start a sandbox and wait until it answers
  python -m "$1" --port "$2" --seed demo "${@:3}" &
  sandbox_pid=$!
  for _ in $(seq 1 100); do
    python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$2/_sandbox/faults')" \
      2>/dev/null && return 0
    sleep 0.1
  done
  echo "sandbox $1 did not start" >&2; exit 1
}

case "$SYSTEM" in
  woocommerce)
    if [ -z "${WOOCOMMERCE_URL:-}" ]; then
      port="${SANDBOX_PORT:-8081}"
      start_sandbox sandbox.woocommerce "$port"
      export WOOCOMMERCE_URL="http://127.0.0.1:$port" WOOCOMMERCE_CONSUMER_KEY=ck_sandbox \
             WOOCOMMERCE_CONSUMER_SECRET=cs_sandbox
      echo "serving the demo WooCommerce sandbox at $WOOCOMMERCE_URL"
    fi ;;
  customwebshop)
    if [ -z "${WEBSHOP_URL:-}" ]; then
      port="${SANDBOX_PORT:-8082}"
      start_sandbox sandbox.webshop "$port" --token sandbox-token
      export WEBSHOP_URL="http://127.0.0.1:$port" WEBSHOP_TOKEN=sandbox-token
      echo "serving the demo reference webshop at $WEBSHOP_URL"
    fi ;;
esac

gunicorn -c gunicorn.conf.py 'service.app:create_app()'
