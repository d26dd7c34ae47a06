#!/usr/bin/env bash
# moto's server on loopback: the AWS APIs SQS, SNS, SSM and EventBridge (and the endpoints the
# localstack/ init script calls) for the queue, alert, secret and event-rule suites.
#
#   scripts/servers/moto.sh up       install when absent (PyPI, hashed), start, create the test queue
#   scripts/servers/moto.sh down     stop it
#   scripts/servers/moto.sh status   one line: up (version, port) or down
#   scripts/servers/moto.sh env      export lines: TEST_AWS_ENDPOINT, TEST_SQS_QUEUE_URL, the SDK's
#                                    AWS_ENDPOINT_URL_{SQS,SNS,SSM,EVENTBRIDGE} and dummy credentials
#
# moto 5.2.5 and every dependency are pinned with sha256 hashes in scripts/servers/requirements.txt
# and installed into ${JONQUILS_SERVERS_CACHE:-/var/tmp/jonquils-servers}/venv (outside the
# repository). Port: MOTO_PORT, else the first free one from 19500. moto accepts any credentials
# and checks no signature: it tests requests and behaviour, not authentication.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
. "$(dirname "$0")/lib/common.bash"

DIR="$CACHE/moto"
mkdir -p "$DIR"
PID_FILE="$DIR/moto.pid"
if [ -n "${MOTO_PORT:-}" ]; then PORT=$MOTO_PORT; else PORT=$(pick_port "$DIR/port" 19500 19519); fi
URL="http://127.0.0.1:$PORT"
REGION=us-east-1
ACCOUNT=123456789012
QUEUE=jonquils-test

log() { printf '[moto] %s\n' "$*" >&2; }
answers() { curl -fsS -m 3 "$URL/moto-api/" -o /dev/null 2>/dev/null; }

create_queue() {
  AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing "$VENV/bin/python" - "$URL" "$QUEUE" <<'PY'
import sys, boto3
boto3.client("sqs", endpoint_url=sys.argv[1], region_name="us-east-1").create_queue(QueueName=sys.argv[2])
PY
}

case "${1:-}" in
  up)
    if answers; then
      log "already answers on $URL"
    else
      ensure_venv
      if port_busy "$PORT"; then
        rm -f "$DIR/port"
        log "port $PORT is taken by something else: set MOTO_PORT or run again"
        exit 1
      fi
      # setsid: its own session, so the caller's shell ending does not take it down.
      setsid "$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$DIR/moto.log" 2>&1 </dev/null &
      echo $! >"$PID_FILE"
      wait_for 60 answers || {
        log "did not start: see $DIR/moto.log"
        exit 1
      }
      create_queue
      log "moto $("$VENV/bin/python" -c 'import moto; print(moto.__version__)') started on $URL"
    fi
    ;;
  down)
    if [ -s "$PID_FILE" ]; then
      stop_pid_file "$PID_FILE"
      log "stopped"
    fi
    ;;
  status)
    if answers; then
      echo "moto: up ($("$VENV/bin/python" -c 'import moto; print(moto.__version__)') on $URL)"
    else echo "moto: down"; fi
    ;;
  env)
    echo "export TEST_AWS_ENDPOINT=$URL"
    echo "export TEST_SQS_QUEUE_URL=$URL/$ACCOUNT/$QUEUE"
    echo "export AWS_ENDPOINT_URL_SQS=$URL"
    echo "export AWS_ENDPOINT_URL_SNS=$URL"
    echo "export AWS_ENDPOINT_URL_SSM=$URL"
    echo "export AWS_ENDPOINT_URL_EVENTBRIDGE=$URL"
    echo "export AWS_REGION=$REGION"
    echo "export AWS_ACCESS_KEY_ID=testing"
    echo "export AWS_SECRET_ACCESS_KEY=testing"
    echo "export MOTO_VERSION=$("$VENV/bin/python" -c 'import moto; print(moto.__version__)' 2>/dev/null || echo unknown)"
    ;;
  *)
    echo "usage: $0 up|down|status|env" >&2
    exit 2
    ;;
esac
