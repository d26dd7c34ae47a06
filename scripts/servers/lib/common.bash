# shellcheck shell=bash
# Shared by scripts/servers/*.sh: the cache outside the repository, free loopback ports, the
# Python venv (moto, schemathesis) installed from scripts/servers/requirements.txt with hashes.

CACHE="${JONQUILS_SERVERS_CACHE:-/var/tmp/jonquils-servers}"
SERVERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$CACHE/venv"

# True when something listens on 127.0.0.1:$1.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The port a server keeps in $1 (its state file) if set, else the first free one from $2 upward
# (up to $3), written to the state file.
pick_port() {
  local file=$1 from=$2 to=$3 p
  if [ -s "$file" ]; then
    cat "$file"
    return
  fi
  for ((p = from; p <= to; p++)); do
    if ! port_busy "$p"; then
      echo "$p" >"$file"
      echo "$p"
      return
    fi
  done
  echo "no free port in $from-$to" >&2
  return 1
}

# Waits up to $1 seconds for the command after it to succeed.
wait_for() {
  local seconds=$1
  shift
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# Installs the venv when it is missing or its requirements changed (a stamp holds their hash).
ensure_venv() {
  local req="$SERVERS_DIR/requirements.txt" stamp="$VENV/.requirements.sha256" want
  want=$(sha256sum "$req" | cut -d' ' -f1)
  if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then return; fi
  printf '[servers] installing moto and schemathesis into %s\n' "$VENV" >&2
  mkdir -p "$CACHE"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check --require-hashes --no-deps -r "$req" >&2
  echo "$want" >"$stamp"
}

# Stops the process whose id is in file $1 (TERM, then KILL after 10 s) and removes the file.
stop_pid_file() {
  local file=$1 pid
  [ -s "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait_for 10 bash -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}
