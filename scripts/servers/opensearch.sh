#!/usr/bin/env bash
# OpenSearch 2.19 on loopback, for the search contract suite, the search benchmark and
# `npm run start:servers`: no Docker, nothing but Java 17 and Maven Central.
#
#   scripts/servers/opensearch.sh up       install when absent, start, wait for a green/yellow cluster
#   scripts/servers/opensearch.sh down     stop it
#   scripts/servers/opensearch.sh status   one line: up (version, port) or down
#   scripts/servers/opensearch.sh env      print `export OPENSEARCH_URL=…` (eval "$(… env)")
#
# What is installed: Maven Central's `org.opensearch.distribution.integ-test-zip:opensearch`
# (the minimal distribution published for integration tests: the server with the netty transport
# only, no security plugin) plus the `org.opensearch.plugin:analysis-common` module jar, which
# holds the mapping/pattern_replace char filters and the asciifolding, edge_ngram and trim
# filters our index uses. Both pinned, both checked against the SHA-512 sums below before use.
#
# Where: ${JONQUILS_SERVERS_CACHE:-/var/tmp/jonquils-servers}/opensearch-<version>, outside the
# repository (downloads, data and logs/opensearch.log); the port is ${OPENSEARCH_PORT:-19200}.
# OpenSearch refuses to run as root: as root the script runs it as the system user `jonquils`
# (created when missing). The heap is ${OPENSEARCH_HEAP:-512m}. `up` is a no-op when it answers.
set -euo pipefail

VERSION="2.19.6"
DIST_SHA512="8adbfaa13162b8d42b388ece6b39bfb7f1a349ab9c128d4eced78ba1dd43b5a10850b43b8aac19fa5ab11f4d5c355ddf6f6617514d6112b0936a1903005d1d36"
ANALYSIS_SHA512="83f826f36779b5e2e25a5b48d626284d3253463420aafb0bd917ec1801f8ec3f50129fc3359fa073cb45b78630c416875a7071a505dc07354da77ab92a58d96d"
MAVEN="${MAVEN_REPO_URL:-https://repo.maven.apache.org/maven2}"
DIST_URL="$MAVEN/org/opensearch/distribution/integ-test-zip/opensearch/$VERSION/opensearch-$VERSION.zip"
ANALYSIS_URL="$MAVEN/org/opensearch/plugin/analysis-common/$VERSION/analysis-common-$VERSION.jar"

CACHE="${JONQUILS_SERVERS_CACHE:-/var/tmp/jonquils-servers}"
BASE="$CACHE/opensearch-$VERSION"
HOME_DIR="$BASE/opensearch-$VERSION"
DATA_DIR="$BASE/data"
LOG_DIR="$BASE/logs"
RUN_DIR="$BASE/run"
PID_FILE="$RUN_DIR/opensearch.pid"
PORT="${OPENSEARCH_PORT:-19200}"
HEAP="${OPENSEARCH_HEAP:-512m}"
START_TIMEOUT="${OPENSEARCH_START_TIMEOUT:-180}"
RUN_USER="${OPENSEARCH_USER:-jonquils}"
URL="http://127.0.0.1:$PORT"

log() { printf '[opensearch] %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}

health() { curl -fsS -m 5 "$URL/_cluster/health" 2>/dev/null; }
answers() {
  local h
  h=$(health) || return 1
  [[ $h == *'"status":"green"'* || $h == *'"status":"yellow"'* ]]
}

download() { # url file sha512
  local url=$1 file=$2 sum=$3
  if [ -f "$file" ] && echo "$sum  $file" | sha512sum -c --status; then return; fi
  log "downloading $url"
  curl -fsSL --retry 3 -m 600 -o "$file.part" "$url"
  echo "$sum  $file.part" | sha512sum -c --status || {
    rm -f "$file.part"
    die "checksum mismatch for $url"
  }
  mv "$file.part" "$file"
}

install() {
  [ -x "$HOME_DIR/bin/opensearch" ] && [ -f "$HOME_DIR/modules/analysis-common/plugin-descriptor.properties" ] && return
  mkdir -p "$BASE"
  download "$DIST_URL" "$BASE/opensearch-$VERSION.zip" "$DIST_SHA512"
  download "$ANALYSIS_URL" "$BASE/analysis-common-$VERSION.jar" "$ANALYSIS_SHA512"
  rm -rf "$HOME_DIR"
  if command -v unzip >/dev/null 2>&1 && [ -z "${OPENSEARCH_NO_UNZIP:-}" ]; then
    unzip -q "$BASE/opensearch-$VERSION.zip" -d "$BASE"
  else
    # No apt-get here (other servers may be installing in parallel): Python's zipfile, which
    # drops the executable bits.
    python3 -m zipfile -e "$BASE/opensearch-$VERSION.zip" "$BASE"
    chmod +x "$HOME_DIR"/bin/* "$HOME_DIR"/lib/tools/*/* 2>/dev/null || true
  fi
  local mod="$HOME_DIR/modules/analysis-common"
  mkdir -p "$mod"
  cp "$BASE/analysis-common-$VERSION.jar" "$mod/"
  # The descriptor the full distribution ships for this module (painless, which it may extend for
  # scripted token filters, is not installed: our index uses no scripts).
  cat >"$mod/plugin-descriptor.properties" <<EOF
description=Adds "built in" analyzers to OpenSearch.
version=$VERSION
name=analysis-common
classname=org.opensearch.analysis.common.CommonAnalysisPlugin
java.version=11
opensearch.version=$VERSION
custom.foldername=
extended.plugins=
has.native.controller=false
EOF
  log "installed OpenSearch $VERSION in $HOME_DIR"
}

java_home() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    echo "$JAVA_HOME"
    return
  fi
  local java
  java=$(command -v java) || die "Java 17+ is needed (set JAVA_HOME)"
  dirname "$(dirname "$(readlink -f "$java")")"
}

run_as() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$RUN_USER" -- "$@"; else "$@"; fi
}

up() {
  if answers; then
    log "already answers on $URL"
    return
  fi
  local started
  started=$(date +%s)
  install
  mkdir -p "$DATA_DIR" "$LOG_DIR" "$RUN_DIR"
  rm -f "$PID_FILE"
  if [ "$(id -u)" = 0 ]; then
    id "$RUN_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_USER"
    chown -R "$RUN_USER" "$HOME_DIR/config" "$HOME_DIR/logs" "$DATA_DIR" "$LOG_DIR" "$RUN_DIR"
    # The user must reach the cache through its parents.
    chmod o+rx "$CACHE" "$BASE"
  fi
  local jh
  jh=$(java_home)
  local opts="-Xms$HEAP -Xmx$HEAP"
  run_as env OPENSEARCH_JAVA_HOME="$jh" JAVA_HOME="$jh" OPENSEARCH_JAVA_OPTS="$opts" \
    OPENSEARCH_PATH_CONF="$HOME_DIR/config" \
    "$HOME_DIR/bin/opensearch" -d -p "$PID_FILE" \
    -Ediscovery.type=single-node \
    -Enetwork.host=127.0.0.1 \
    -Ehttp.port="$PORT" \
    -Etransport.port="$((PORT + 100))" \
    -Epath.data="$DATA_DIR" \
    -Epath.logs="$LOG_DIR" \
    -Ecluster.name=jonquils \
    -Enode.name=jonquils-1 \
    -Ecluster.routing.allocation.disk.threshold_enabled=false \
    -Eaction.auto_create_index=false \
    >"$LOG_DIR/stdout.log" 2>&1 || die "did not start: see $LOG_DIR/stdout.log and $LOG_DIR/jonquils.log"
  local deadline=$((started + START_TIMEOUT))
  until answers; do
    if [ -f "$PID_FILE" ]; then
      kill -0 "$(cat "$PID_FILE")" 2>/dev/null || die "exited while starting: see $LOG_DIR/jonquils.log"
    elif [ "$(date +%s)" -gt $((started + 60)) ]; then
      die "no process after 60 s: see $LOG_DIR/stdout.log and $LOG_DIR/jonquils.log"
    fi
    [ "$(date +%s)" -lt "$deadline" ] || die "no green/yellow health after ${START_TIMEOUT}s: see $LOG_DIR/jonquils.log"
    sleep 1
  done
  log "OpenSearch $VERSION answers on $URL (installed and started in $(($(date +%s) - started)) s)"
}

down() {
  if [ -f "$PID_FILE" ]; then
    local pid
    pid=$(cat "$PID_FILE")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 60); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
      done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
      log "stopped"
    fi
    rm -f "$PID_FILE"
  elif answers; then
    log "something answers on $URL but was not started by this script (no $PID_FILE): left alone"
  fi
}

status() {
  local h
  if h=$(health); then
    local s=${h#*\"status\":\"}
    echo "opensearch: up on $URL (version $VERSION, cluster ${s%%\"*})"
  else
    echo "opensearch: down"
  fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  env) echo "export OPENSEARCH_URL=$URL" ;;
  *)
    echo "usage: $0 up|down|status|env" >&2
    exit 2
    ;;
esac
