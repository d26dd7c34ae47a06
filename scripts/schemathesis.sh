#!/usr/bin/env bash
# scripts/schemathesis.sh, part of `npm run test:servers`: schemathesis (PyPI, pinned in scripts/servers/requirements.txt)
# against the API's /openapi.json, as an outside check: positive and negative data, the checks
# "no server error" and "responses conform to the documented schema". Starts the API (the
# `npm start` process, on PostgreSQL and Redis from the environment) on a free loopback port with
# a fresh database and data folder, runs a bounded pass, stops the API. One summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR source=servers/lib/common.bash
. scripts/servers/lib/common.bash
ensure_venv

: "${DATABASE_URL:?DATABASE_URL: run after scripts/services.sh env}"
port=$(
  for ((p = 19590; p <= 19599; p++)); do if ! port_busy "$p"; then
    echo "$p"
    break
  fi; done
)
web_port=$((port == 19599 ? 19589 : port + 1))
db="jq_schemathesis"
admin_url="${DATABASE_URL%/*}/postgres"
psql "$admin_url" -qc "drop database if exists $db" -qc "create database $db" >/dev/null 2>&1
data=$(mktemp -d)
log="$data/api.log"
# Rate limits raised for the run (one client sends thousands of requests): the handlers answer,
# not the limiter. The limiter itself has its own suites.
DATABASE_URL="${DATABASE_URL%/*}/$db" PORT=$port WEB_PORT=$web_port DATA_DIR="$data" \
  SEED_DEMO=false LOG_LEVEL=warn RATE_LIMIT_IP_PER_MINUTE=1000000 \
  RATE_LIMIT_USER_PER_MINUTE=1000000 SIGNUP_PER_IP_PER_HOUR=1000000 ACCESS_TOKEN_TTL_SECONDS=3600 \
  setsid npx tsx packages/local/src/start.ts >"$log" 2>&1 </dev/null &
api=$!
# shellcheck disable=SC2317 # (called by the EXIT trap)
stop() {
  local rc=$?
  kill -- "-$api" 2>/dev/null || true
  # The server (and its chDB) may still be writing its folder for a moment after the signal.
  for _ in $(seq 1 50); do kill -0 "$api" 2>/dev/null || break; sleep 0.2; done
  rm -rf "$data" 2>/dev/null || { sleep 1; rm -rf "$data" || true; }
  exit "$rc"
}
trap stop EXIT
wait_for 120 curl -fs -m 2 -o /dev/null "http://127.0.0.1:$port/health" || {
  echo "[schemathesis] the API did not start:" >&2
  tail -n 30 "$log" >&2
  exit 1
}
# A signed-in artist, so the operations behind authentication run their handlers too.
base="http://127.0.0.1:$port"
token=$("$VENV/bin/python" - "$base" <<'PY'
import json, sys, urllib.request
base = sys.argv[1]
def call(path, body, token=None):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"content-type": "application/json",
                                          **({"authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(req) as res:
        return json.load(res)
session = call("/api/v1/auth/register", {"username": "schemathesis", "email": "schemathesis@example.com",
                                          "password": "correct horse battery staple"})
call("/api/v1/artists", {"name": "Schemathesis"}, session["accessToken"])
print(call("/api/v1/auth/refresh", {"refreshToken": session["refreshToken"]})["accessToken"])
PY
)
out="$data/schemathesis.log"
status=0
timeout "${SCHEMATHESIS_TIMEOUT:-300}" "$VENV/bin/schemathesis" run "http://127.0.0.1:$port/openapi.json" \
  --header "Authorization: Bearer $token" \
  --mode all --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-5}" \
  --checks not_a_server_error,response_schema_conformance \
  --request-timeout 10 --max-failures 20 --seed 1 >"$out" 2>&1 || status=$?
counts=$(grep -Eo '[0-9]+ generated, [0-9]+ passed(, [0-9]+ failed)?' "$out" | tail -n 1 || true)
printf '%-16s%-42s %s\n' schemathesis "api(/openapi.json)" "${counts:-no summary}"
if [ "$status" != 0 ]; then
  grep -v '^\s*$' "$out" | tail -n 60 >&2
  exit 1
fi
