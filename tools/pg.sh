#!/usr/bin/env bash
# Throwaway PostgreSQL 15 for the tests, sourced by tools/test.sh (and usable by hand):
#   source tools/pg.sh && pg_start    -> exports TG4_TEST_PG_URL (superuser URL with password) and TG4_PG_DIR
#   pg_stop                           -> stops the server by its PID and removes its directory
# Installs Debian's postgresql-15 when no server binaries are found and we are root. The server listens on a
# free port on 127.0.0.1 only, with scram-sha-256 password authentication, in a fresh temporary directory.

pg_bindir() {
  local d
  for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  command -v pg_config >/dev/null 2>&1 && d=$(pg_config --bindir) && [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  return 1
}

pg_start() {
  local bin owner pw port
  if ! bin=$(pg_bindir); then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "tools/pg.sh: installing Debian's postgresql-15"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
    fi
    bin=$(pg_bindir) || { echo "tools/pg.sh: PostgreSQL server binaries not found; install postgresql-15" >&2; return 1; }
  fi
  TG4_PG_DIR=$(mktemp -d /tmp/tg4_pg.XXXXXX)
  owner=$(id -un)
  if [ "$(id -u)" = 0 ]; then            # initdb refuses to run as root
    owner=postgres
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown "$owner" "$TG4_PG_DIR"
  fi
  pw=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  printf '%s\n' "$pw" > "$TG4_PG_DIR/pw"; chown "$owner" "$TG4_PG_DIR/pw"
  as_owner() { if [ "$owner" = "$(id -un)" ]; then "$@"; else runuser -u "$owner" -- "$@"; fi; }
  as_owner "$bin/initdb" -D "$TG4_PG_DIR/data" -U tg4 --pwfile="$TG4_PG_DIR/pw" -A scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$TG4_PG_DIR/initdb.log" 2>&1 \
    || { cat "$TG4_PG_DIR/initdb.log"; return 1; }
  as_owner "$bin/pg_ctl" -D "$TG4_PG_DIR/data" -l "$TG4_PG_DIR/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $TG4_PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${TG4_PG_OPTIONS:-}" start >/dev/null \
    || { cat "$TG4_PG_DIR/server.log"; return 1; }
  TG4_PG_PID=$(head -1 "$TG4_PG_DIR/data/postmaster.pid")
  export TG4_PG_DIR TG4_PG_PID TG4_TEST_PG_URL="postgresql://tg4:$pw@127.0.0.1:$port/postgres"
  echo "tools/pg.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (pid $TG4_PG_PID, data in $TG4_PG_DIR)"
}

pg_stop() {
  [ -n "${TG4_PG_PID:-}" ] || return 0
  kill -TERM "$TG4_PG_PID" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$TG4_PG_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$TG4_PG_PID" 2>/dev/null || true
  rm -rf "$TG4_PG_DIR"
  unset TG4_PG_PID TG4_PG_DIR TG4_TEST_PG_URL
}
