#!/usr/bin/env bash
# PostgreSQL and Redis for the server test suites and `npm run start:servers`, on loopback.
#
#   scripts/services.sh up       install (Debian packages) when absent, start, create the test database
#   scripts/services.sh down     stop both
#   scripts/services.sh status   say what runs where
#   scripts/services.sh env      print the export lines the test suites read (eval "$(scripts/services.sh env)")
#
# Data lives outside the repository (JONQUILS_SERVICES_DIR, default /var/tmp/jonquils-services):
# a cluster of our own with trust authentication on 127.0.0.1 only, so nothing secret is needed
# and the machine's own PostgreSQL configuration is left alone. Ports: PG_PORT (5432), REDIS_PORT (6379).
# Fast when everything already runs: `up` checks before it installs or starts anything.
set -euo pipefail

STATE="${JONQUILS_SERVICES_DIR:-/var/tmp/jonquils-services}"
PG_PORT="${PG_PORT:-5432}"
REDIS_PORT="${REDIS_PORT:-6379}"
PGDATA="$STATE/pg"
REDIS_DIR="$STATE/redis"

log() { printf '[services] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=""
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    log "cannot install $* (no apt-get): install them with your package manager"
    return 1
  fi
  if [ -z "$apt_updated" ]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
  log "installing $* from Debian"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

pg_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && [ -x "$dir/postgres" ] && echo "$dir"
}

# Runs a command as the unprivileged `postgres` user when we are root (postgres refuses root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_ready() { pg_isready -q -h 127.0.0.1 -p "$PG_PORT" >/dev/null 2>&1; }
redis_ready() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; }

pg_up() {
  if pg_ready; then
    log "PostgreSQL already answers on 127.0.0.1:$PG_PORT"
  else
    local bin
    bin=$(pg_bindir || true)
    if [ -z "$bin" ]; then
      apt_install postgresql postgresql-contrib
      bin=$(pg_bindir)
    fi
    as_root mkdir -p "$STATE"
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
      log "creating a PostgreSQL cluster in $PGDATA"
      as_root mkdir -p "$PGDATA"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDATA"
      as_pg "$bin/initdb" -D "$PGDATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    as_pg "$bin/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 start \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k /tmp -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
    log "PostgreSQL started on 127.0.0.1:$PG_PORT"
  fi
  # The test database the suites clone their templates from (idempotent).
  if ! psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "select 1 from pg_database where datname = 'test'" | grep -q 1; then
    psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "create database test" >/dev/null
  fi
}

pg_down() {
  local bin
  bin=$(pg_bindir || true)
  if [ -n "$bin" ] && [ -s "$PGDATA/PG_VERSION" ] && [ -f "$PGDATA/postmaster.pid" ]; then
    as_pg "$bin/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null && log "PostgreSQL stopped"
  fi
}

redis_up() {
  if redis_ready; then
    log "Redis already answers on 127.0.0.1:$REDIS_PORT"
    return
  fi
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  as_root mkdir -p "$REDIS_DIR"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$REDIS_DIR" --logfile "$REDIS_DIR/redis.log" --pidfile "$REDIS_DIR/redis.pid"
  for _ in $(seq 1 50); do redis_ready && break; sleep 0.1; done
  redis_ready || { log "Redis did not start: see $REDIS_DIR/redis.log"; exit 1; }
  log "Redis started on 127.0.0.1:$REDIS_PORT"
}

redis_down() {
  if redis_ready; then
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    log "Redis stopped"
  fi
}

print_env() {
  echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/test"
  echo "export REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
}

case "${1:-}" in
  up)
    pg_up
    redis_up
    ;;
  down)
    redis_down
    pg_down
    ;;
  status)
    if pg_ready; then echo "postgresql: up on 127.0.0.1:$PG_PORT"; else echo "postgresql: down"; fi
    if redis_ready; then echo "redis: up on 127.0.0.1:$REDIS_PORT"; else echo "redis: down"; fi
    ;;
  env) print_env ;;
  *)
    echo "usage: $0 up|down|status|env" >&2
    exit 2
    ;;
esac
