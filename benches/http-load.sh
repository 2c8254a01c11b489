#!/usr/bin/env bash
# HTTP load test: `GET /api/v1/requests/{id}/candidates?limit=20` against a real
# `dom serve` holding DOM_HTTP_PROFILES synthetic cards (default 100000), rotating over
# 500 requests, on loopback only. Installs wrk from Debian's packages if missing.
# Prints: RESULT http profiles=N requests_per_s=X p50_ms=Y p99_ms=Z errors=E
# Knobs: DOM_BIN (a built `dom` to measure instead of building one, e.g. a copy of the
# "before" binary), DOM_HTTP_DATA (a folder kept between runs: seeded once, then reused),
# DOM_HTTP_WRITES_PER_S (a request patched that often during the run, so every answer
# cached before it is recomputed: the cache's cost under writes).
set -euo pipefail
cd "$(dirname "$0")/.."

N=${DOM_HTTP_PROFILES:-100000}
SECONDS_=${DOM_HTTP_SECONDS:-30}
CONNECTIONS=${DOM_HTTP_CONNECTIONS:-16}
WRITES=${DOM_HTTP_WRITES_PER_S:-0}

if ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
if [ -n "${DOM_BIN:-}" ]; then
  DOM=$DOM_BIN
else
  cargo build --release --bin dom -q
  DOM=${CARGO_TARGET_DIR:-target}/release/dom
fi
WORK=$(mktemp -d)
trap 'kill "${PID:-}" "${WRITER:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
DATA=${DOM_HTTP_DATA:-$WORK/db}
echo "load before: $(uptime)" >&2

if [ ! -d "$DATA/store" ]; then
  started=$(date +%s.%N)
  "$DOM" synth --workers "$N" > "$WORK/workers.jsonl"
  "$DOM" synth --requests 1000 --seed 7 > "$WORK/requests.jsonl"
  synthesised=$(date +%s.%N)
  "$DOM" import --demo --data "$DATA" --workers "$WORK/workers.jsonl"
  "$DOM" import --data "$DATA" --requests "$WORK/requests.jsonl"
  echo "seeding: synth $(echo "$synthesised - $started" | bc) s, import $(echo "$(date +%s.%N) - $synthesised" | bc) s" >&2
fi

"$DOM" serve --data "$DATA" --addr 127.0.0.1:0 --rate-per-token 0 > "$WORK/serve.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do
  grep -q "http://" "$WORK/serve.log" 2>/dev/null && break
  sleep 0.2
done
BASE=$(grep -o 'http://[0-9.:]*' "$WORK/serve.log" | head -1)

curl -sf "$BASE/api/v1/requests?limit=500&status=open" -H 'Authorization: Bearer demo-sportello' \
  | python3 -c 'import json,sys; print("\n".join(r["id"] for r in json.load(sys.stdin)["requests"]))' \
  > "$WORK/ids.txt"

{
  echo 'local ids = {'
  sed 's/.*/"&",/' "$WORK/ids.txt"
  cat <<'LUA'
}
local i = 0
request = function()
  i = i + 1
  local path = "/api/v1/requests/" .. ids[(i % #ids) + 1] .. "/candidates?limit=20"
  return wrk.format("GET", path, { ["Authorization"] = "Bearer demo-sportello" })
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT http profiles=%s requests_per_s=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d\n",
    os.getenv("DOM_N") or "?", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
LUA
} > "$WORK/load.lua"

# Warm-up, then the measured run.
wrk -t2 -c"$CONNECTIONS" -d5s -s "$WORK/load.lua" "$BASE" > /dev/null
if [ "$WRITES" -gt 0 ]; then
  # One request's hours changed back and forth: each patch is a write the engine's
  # generation follows, whatever request it touches.
  FIRST=$(head -1 "$WORK/ids.txt")
  (
    i=0
    while true; do
      i=$((i + 1))
      curl -sf -o /dev/null -X PATCH "$BASE/api/v1/requests/$FIRST" \
        -H 'Authorization: Bearer demo-sportello' -H 'Content-Type: application/json' \
        -d "{\"hours_per_week\": $((20 + i % 2))}" || true
      sleep "$(echo "scale=3; 1 / $WRITES" | bc)"
    done
  ) &
  WRITER=$!
fi
DOM_N=$N wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_}s" --latency -s "$WORK/load.lua" "$BASE"
echo "load after: $(uptime)" >&2
