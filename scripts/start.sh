#!/usr/bin/env bash
# Start the service for SYSTEM (woocommerce or customwebshop): what `make start` runs (README, "Configuration").
#
# ENV_FILE names a file of NAME=value lines (docker's --env-file format: values verbatim, `#` comments), read into
# the environment so that shop credentials never sit on a command line, where `ps` shows them to every user for the
# whole run. Variables already in the environment (or on make's command line) win over the file.
#
# With no shop configured, the matching sandbox is started with a demo store on SANDBOX_PORT (8081 for WooCommerce,
# 8082 for the Custom Webshop) and the service is pointed at it. When that port is taken the start is refused:
# the service must never sync whatever else listens there.
set -euo pipefail
cd "$(dirname "$0")/.."

read_env_file() {  # file: export its NAME=value lines unless NAME is set already
  local line name number=0
  [ -f "$1" ] || { echo "not started: ENV_FILE $1 is not a file" >&2; exit 2; }
  while IFS= read -r line || [ -n "$line" ]; do
    number=$((number + 1))
    [[ -z "${line//[[:space:]]/}" || "$line" == \#* ]] && continue
    name="${line%%=*}"
    if [[ "$line" != *=* || ! "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
      echo "not started: $1 line $number is not NAME=value" >&2  # the line is not shown: it may hold a secret
      exit 2
    fi
    [ -n "${!name+set}" ] || export "$name=${line#*=}"
  done < "$1"
}

sandbox_pid=""
trap '[ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null || true' EXIT

start_sandbox() {  # module name port [argument...]: start a sandbox listening on port, or refuse to go on
  local line
  exec 3< <(exec python -m "$1" --port "$3" --seed demo "${@:4}")
  sandbox_pid=$!
  # Our sandbox prints one line once it listens; when it cannot listen it exits, and the read meets the end.
  if ! IFS= read -r line <&3; then
    echo "not started: $2 cannot listen on port $3 (see above). Free the port, choose another with" \
         "SANDBOX_PORT, or set the shop's URL to serve a real shop." >&2
    exit 1
  fi
  cat <&3 &  # the sandbox's further output, so its pipe never fills
  echo "serving $2 at ${line##* }"
}

[ -z "${ENV_FILE:-}" ] || read_env_file "$ENV_FILE"
export SYSTEM="${SYSTEM:-woocommerce}"
sandbox=()
case "$SYSTEM" in
  woocommerce)
    if [ -z "${WOOCOMMERCE_URL:-}" ]; then
      sandbox=(sandbox.woocommerce "the demo WooCommerce sandbox" "${SANDBOX_PORT:-8081}")
      export WOOCOMMERCE_URL="http://127.0.0.1:${sandbox[2]}" WOOCOMMERCE_CONSUMER_KEY=ck_sandbox \
             WOOCOMMERCE_CONSUMER_SECRET=cs_sandbox
    fi ;;
  customwebshop)
    if [ -z "${WEBSHOP_URL:-}" ]; then
      sandbox=(sandbox.webshop "the demo reference webshop" "${SANDBOX_PORT:-8082}" --token sandbox-token)
      export WEBSHOP_URL="http://127.0.0.1:${sandbox[2]}" WEBSHOP_TOKEN=sandbox-token
    fi ;;
esac

python -m service --check  # every setting, SANDBOX_PORT included, before anything starts (exit 2)
[ ${#sandbox[@]} -eq 0 ] || start_sandbox "${sandbox[@]}"
python -m service
