#!/usr/bin/env bash
# Generates a typed Python client from docs/openapi.json with openapi-python-client (PyPI)
# and runs flow.py against a fresh `dom serve --demo` on loopback.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${DOM_CLIENT_VENV:-${TMPDIR:-/tmp}/dom-client-venv}
target=${CARGO_TARGET_DIR:-$root/target}
work=$(mktemp -d)

[ -x "$venv/bin/openapi-python-client" ] || {
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "openapi-python-client>=0.29,<0.30"
}
"$venv/bin/openapi-python-client" generate --path "$root/docs/openapi.json" \
  --meta none --output-path "$work/dom_client" --overwrite
# The generated package's own dependencies.
"$venv/bin/pip" install -q httpx attrs python-dateutil

(cd "$root" && cargo build --locked --bin dom)
"$target/debug/dom" serve --demo --data "$work/data" --addr 127.0.0.1:0 >"$work/log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
url=""
for _ in $(seq 1 120); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/log" | head -1 || true)
  [ -n "$url" ] && curl -fs "$url/healthz" >/dev/null 2>&1 && break
  url=""; sleep 0.5
done
[ -n "$url" ] || { cat "$work/log"; exit 1; }

cd "$work"
PYTHONPATH="$work" DOM_URL=$url DOM_OPENAPI="$root/docs/openapi.json" "$venv/bin/python" "$here/flow.py"
