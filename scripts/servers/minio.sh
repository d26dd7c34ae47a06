#!/usr/bin/env bash
# MinIO on loopback: the S3-compatible server for the object-store contract suite and
# `npm run start:servers`. Chosen because it enforces what our presigned POST relies on —
# SigV4 signatures and the POST policy's conditions (content-length-range, Content-Type, key,
# expiration) — see packages/core/src/storage/s3-server.test.ts, which shows each refusal.
#
#   scripts/servers/minio.sh up       build when absent (Go module proxy), start, create the buckets
#   scripts/servers/minio.sh down     stop it
#   scripts/servers/minio.sh status   one line: up (version, port) or down
#   scripts/servers/minio.sh env      export lines: TEST_S3_ENDPOINT, TEST_S3_ACCESS_KEY_ID,
#                                     TEST_S3_SECRET_ACCESS_KEY, MINIO_VERSION, MINIO_EVENTS_TOKEN_FILE
#
# Object-created events: MinIO starts with two webhook targets (MinIO applies `notify_webhook`
# only at start), both on loopback and authenticated with a random token kept beside the
# credentials: `JONQUILS` posts to 127.0.0.1:19541 (the app of `npm run start:servers`, with a
# queue folder so events wait while the app is down) and `JQTEST` to 127.0.0.1:19542 (the
# end-to-end test). A bucket sends nothing until its notification rule names a target's ARN
# (arn:minio:sqs::JONQUILS:webhook), which scripts/start-servers.sh sets on jonquils-tracks.
#
# Installed with `go install github.com/minio/minio@<pinned pseudo-version>`: the Go toolchain
# checks the module against the checksum database, and this script checks the module's h1 sum
# below before building. The build (~5 min of CPU) is cached in
# ${JONQUILS_SERVERS_CACHE:-/var/tmp/jonquils-servers}/minio-<version>, outside the repository,
# with the data folder and log. Port: MINIO_PORT, else the first free one from 19520. The root
# credentials are random, made on first use and kept in that folder (never in the repository).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
. "$(dirname "$0")/lib/common.bash"

MODULE=github.com/minio/minio
VERSION=v0.0.0-20260212201848-7aac2a2c5b7c # upstream master of 2026-02-12
MODULE_SUM="h1:/qdoYujxF5MBLDMVLeiYJ/7fBa1HikX39Dvzb9Ji8pA="
BASE="$CACHE/minio-$VERSION"
BIN="$BASE/bin/minio"
DATA="$BASE/data"
PID_FILE="$BASE/minio.pid"
mkdir -p "$BASE"
if [ -n "${MINIO_PORT:-}" ]; then PORT=$MINIO_PORT; else PORT=$(pick_port "$BASE/port" 19520 19539); fi
URL="http://127.0.0.1:$PORT"
BUCKETS=(jq-test-tracks jq-test-covers jq-test-playlists jq-test-temp jonquils-tracks jonquils-covers jonquils-playlists jonquils-temp)

log() { printf '[minio] %s\n' "$*" >&2; }
answers() { curl -fsS -m 3 "$URL/minio/health/live" -o /dev/null 2>/dev/null; }

credentials() {
  if [ ! -s "$BASE/credentials" ]; then
    umask 077
    printf '%s %s\n' "jq$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
      "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$BASE/credentials"
  fi
  read -r ACCESS_KEY SECRET_KEY <"$BASE/credentials"
  if [ ! -s "$BASE/events-token" ]; then
    (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$BASE/events-token")
  fi
}

install() {
  [ -x "$BIN" ] && return
  command -v go >/dev/null || {
    log "needs Go (https://go.dev) to build MinIO"
    exit 1
  }
  local sum
  sum=$(cd "$BASE" && GOFLAGS=-mod=mod go mod download -json "$MODULE@$VERSION" | sed -n 's/^\t"Sum": "\(.*\)",$/\1/p')
  [ "$sum" = "$MODULE_SUM" ] || {
    log "module sum $sum is not the pinned $MODULE_SUM"
    exit 1
  }
  log "building MinIO $VERSION (a few minutes, once)"
  mkdir -p "$BASE/bin"
  GOBIN="$BASE/bin" GOFLAGS=-buildvcs=false go install "$MODULE@$VERSION" >&2
}

create_buckets() {
  ensure_venv
  AWS_ACCESS_KEY_ID=$ACCESS_KEY AWS_SECRET_ACCESS_KEY=$SECRET_KEY "$VENV/bin/python" - "$URL" "${BUCKETS[@]}" <<'PY'
import sys, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
have = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
for name in sys.argv[2:]:
    if name not in have:
        s3.create_bucket(Bucket=name)
PY
}

credentials
case "${1:-}" in
  up)
    if answers; then
      log "already answers on $URL"
      exit 0
    fi
    install
    if port_busy "$PORT"; then
      rm -f "$BASE/port"
      log "port $PORT is taken by something else: set MINIO_PORT or run again"
      exit 1
    fi
    mkdir -p "$DATA" "$BASE/events-queue"
    token=$(cat "$BASE/events-token")
    MINIO_ROOT_USER=$ACCESS_KEY MINIO_ROOT_PASSWORD=$SECRET_KEY MINIO_BROWSER=off \
      MINIO_UPDATE=off MINIO_CI_CD=1 \
      MINIO_NOTIFY_WEBHOOK_ENABLE_JONQUILS=on \
      MINIO_NOTIFY_WEBHOOK_ENDPOINT_JONQUILS=http://127.0.0.1:19541/minio-events \
      MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN_JONQUILS="$token" \
      MINIO_NOTIFY_WEBHOOK_QUEUE_DIR_JONQUILS="$BASE/events-queue" \
      MINIO_NOTIFY_WEBHOOK_ENABLE_JQTEST=on \
      MINIO_NOTIFY_WEBHOOK_ENDPOINT_JQTEST=http://127.0.0.1:19542/minio-events \
      MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN_JQTEST="$token" \
      setsid "$BIN" server "$DATA" --address "127.0.0.1:$PORT" --quiet \
      >"$BASE/minio.log" 2>&1 </dev/null &
    echo $! >"$PID_FILE"
    wait_for 60 answers || {
      log "did not start: see $BASE/minio.log"
      exit 1
    }
    create_buckets
    log "MinIO $VERSION started on $URL"
    ;;
  down)
    if [ -s "$PID_FILE" ]; then
      stop_pid_file "$PID_FILE"
      log "stopped"
    fi
    ;;
  status)
    if answers; then echo "minio: up ($VERSION on $URL)"; else echo "minio: down"; fi
    ;;
  env)
    echo "export TEST_S3_ENDPOINT=$URL"
    echo "export TEST_S3_ACCESS_KEY_ID=$ACCESS_KEY"
    echo "export TEST_S3_SECRET_ACCESS_KEY=$SECRET_KEY"
    echo "export MINIO_VERSION=${VERSION#v0.0.0-}"
    echo "export MINIO_EVENTS_TOKEN_FILE=$BASE/events-token"
    ;;
  *)
    echo "usage: $0 up|down|status|env" >&2
    exit 2
    ;;
esac
