#!/usr/bin/env bash
# `npm run test:servers`: every contract suite against every real server.
#
# Starts what is not running (PostgreSQL and Redis by scripts/services.sh, then every
# scripts/servers/*.sh — MinIO, moto, OpenSearch — in parallel), exports what their `env`
# prints, runs the contract suites in one vitest run, prints one line per suite and engine,
# runs schemathesis against a started API (scripts/schemathesis.sh), and stops what it
# started (what was already running is left running). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
started_at=$(date +%s)
tmp=$(mktemp -d)
servers=(scripts/servers/*.sh)
to_stop=()

# shellcheck disable=SC2317 # (called by the EXIT trap)
cleanup() {
  local rc=$? s
  for s in "${to_stop[@]}"; do bash "$s" down >/dev/null 2>&1 || true; done
  # A folder a stopping process still writes to must not turn a green run red.
  rm -rf "$tmp" 2>/dev/null || { sleep 1; rm -rf "$tmp" || true; }
  exit "$rc"
}
trap cleanup EXIT

# What runs already is left running at the end.
if bash scripts/services.sh status | grep -q down; then to_stop+=(scripts/services.sh); fi
for s in "${servers[@]}"; do
  if bash "$s" status 2>/dev/null | grep -q ': down'; then to_stop+=("$s"); fi
done

# Start them all at once; each `up` is a no-op when its server answers.
pids=()
bash scripts/services.sh up >"$tmp/services.sh.log" 2>&1 &
pids+=($!)
for s in "${servers[@]}"; do
  bash "$s" up >"$tmp/$(basename "$s").log" 2>&1 &
  pids+=($!)
done
up_failed=0
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then
    up_failed=1
    if [ "$i" = 0 ]; then name=services.sh; else name=$(basename "${servers[$((i - 1))]}"); fi
    echo "[test:servers] $name up failed:" >&2
    sed 's/^/  /' "$tmp/$name.log" >&2 || true
  fi
done
[ "$up_failed" = 0 ] || exit 1
echo "[test:servers] servers up in $(($(date +%s) - started_at)) s"

eval "$(bash scripts/services.sh env)"
for s in "${servers[@]}"; do eval "$(bash "$s" env)"; done
REDIS_VERSION=$(redis-server --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p')
PG_VERSION=$(psql "$DATABASE_URL" -tAc 'show server_version' 2>/dev/null | cut -d' ' -f1 || echo server)
OPENSEARCH_VERSION=$(curl -fsS -m 5 "${OPENSEARCH_URL:-http://127.0.0.1:1}" 2>/dev/null |
  sed -n 's/.*"number" *: *"\([^"]*\)".*/\1/p' | head -n 1 || true)
export REDIS_VERSION PG_VERSION OPENSEARCH_VERSION

suites=(
  packages/core/src/cache/cache.contract.test.ts=cache
  packages/core/src/rate-limit/rate-limit.contract.test.ts=rate-limit
  packages/core/src/storage/object-store.contract.test.ts=object-store
  packages/core/src/storage/s3-server.test.ts=s3-refusals
  packages/core/src/search/search.contract.test.ts=search
  packages/local/src/analytics/store.contract.test.ts=analytics
  packages/local/src/analytics/clickhouse-http.test.ts=analytics-http
  packages/core/src/queue/queue.contract.test.ts=queue
  functions/aws-services.servers.test.ts=aws
  functions/pipeline/recover.servers.test.ts=recovery
  packages/api/test/subsonic/kms.servers.test.ts=kms
  packages/local/src/start-servers.servers.test.ts=start:servers
)
files=()
for s in "${suites[@]}"; do [ -f "${s%%=*}" ] && files+=("${s%%=*}"); done

status=0
npx vitest run "${files[@]}" --reporter=dot --reporter=json --outputFile.json="$tmp/report.json" \
  >"$tmp/vitest.log" 2>&1 || status=$?
if [ -s "$tmp/report.json" ]; then
  npx tsx scripts/servers/summary.ts "$tmp/report.json" "${suites[@]}" || status=1
else
  status=1
fi
if [ "$status" != 0 ]; then
  echo "[test:servers] vitest output:" >&2
  grep -v '^\s*$' "$tmp/vitest.log" | tail -n 80 >&2
fi

# The localstack/ init script (run by LocalStack on machines with Docker) stays shellcheck-clean.
if command -v shellcheck >/dev/null 2>&1; then
  if shellcheck localstack/init/ready.d/*.sh; then
    printf '%-16s%-42s %s\n' localstack-init shellcheck "clean"
  else
    status=1
  fi
else
  echo "[test:servers] shellcheck not installed (apt-get install shellcheck): localstack/init not checked"
fi
# …and its AWS calls succeed against moto (a dry run with the AWS CLI, resources checked after).
bash scripts/localstack-dry-run.sh || status=1

if [ -x scripts/schemathesis.sh ]; then
  bash scripts/schemathesis.sh || status=1
fi

echo "[test:servers] finished in $(($(date +%s) - started_at)) s"
exit "$status"
