#!/usr/bin/env bash
# Start the backing services of a Frappe development bench from cold:
#   - MariaDB (via `service`/systemctl when available, else mysqld_safe in the background)
#   - the bench's own Redis servers (config/redis_cache.conf, config/redis_queue.conf)
# Every step is idempotent: something already answering is left alone.
# The script returns once every service answers (or fails after a timeout).
#
# Usage: scripts/start-services.sh [BENCH_DIR]
#   BENCH_DIR         bench directory (default: $BENCH_DIR or $HOME/frappe-bench)
#   SERVICE_TIMEOUT   seconds to wait for each service (default: 60)
#   SKIP_MARIADB=1    do not touch MariaDB (e.g. when the database runs elsewhere)
#   SKIP_REDIS=1      do not start the bench's Redis servers
#
# Note: `bench start` runs its own Redis servers from the Procfile. Use this script
# for running tests / bench commands without `bench start`, or stop the daemonized
# Redis servers (`redis-cli -p <port> shutdown nosave`) before `bench start`.
set -euo pipefail

BENCH_DIR="${1:-${BENCH_DIR:-$HOME/frappe-bench}}"
SERVICE_TIMEOUT="${SERVICE_TIMEOUT:-60}"
SKIP_MARIADB="${SKIP_MARIADB:-0}"
SKIP_REDIS="${SKIP_REDIS:-0}"

log() { printf '[start-services] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

if [ "$(id -u)" -eq 0 ]; then
	SUDO=()
elif command -v sudo >/dev/null 2>&1; then
	SUDO=(sudo)
else
	SUDO=()
fi

# wait_for NAME COMMAND...: retry COMMAND until it succeeds or SERVICE_TIMEOUT passes
wait_for() {
	local name="$1"
	shift
	local waited=0
	until "$@" >/dev/null 2>&1; do
		if [ "$waited" -ge "$SERVICE_TIMEOUT" ]; then
			return 1
		fi
		sleep 1
		waited=$((waited + 1))
	done
	log "$name is up"
}

# ---------------------------------------------------------------- MariaDB
mariadb_alive() {
	# `mysqladmin ping` exits 0 whenever the server answers, even if access is denied.
	local admin
	admin="$(command -v mariadb-admin || command -v mysqladmin)"
	"$admin" --connect-timeout=2 ping
}

start_mariadb() {
	if mariadb_alive >/dev/null 2>&1; then
		log "MariaDB already answers"
		return 0
	fi
	log "starting MariaDB"
	local started=0
	if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
		if "${SUDO[@]}" systemctl start mariadb; then started=1; fi
	fi
	if [ "$started" -eq 0 ] && command -v service >/dev/null 2>&1; then
		if "${SUDO[@]}" service mariadb start >/dev/null 2>&1; then started=1; fi
	fi
	if [ "$started" -eq 1 ] && wait_for MariaDB mariadb_alive; then
		return 0
	fi
	# Fallback without an init system: run mysqld_safe in the background.
	log "init system did not start MariaDB; falling back to mysqld_safe"
	local safe
	safe="$(command -v mariadbd-safe || command -v mysqld_safe)" || die "mysqld_safe not found; is mariadb-server installed?"
	"${SUDO[@]}" install -d -o mysql -g mysql -m 0755 /run/mysqld
	"${SUDO[@]}" nohup "$safe" --user=mysql >/dev/null 2>&1 </dev/null &
	wait_for MariaDB mariadb_alive || die "MariaDB did not answer within ${SERVICE_TIMEOUT}s"
}

# ---------------------------------------------------------------- Redis
redis_port() {
	awk '$1 == "port" { print $2; exit }' "$1"
}

redis_alive() {
	[ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = "PONG" ]
}

start_redis() {
	local conf="$1" port
	[ -f "$conf" ] || die "$conf not found (run 'bench setup redis' in $BENCH_DIR)"
	port="$(redis_port "$conf")"
	[ -n "$port" ] || die "no port in $conf"
	if redis_alive "$port"; then
		log "Redis on port $port already answers"
		return 0
	fi
	log "starting Redis on port $port ($conf)"
	local dir
	dir="$(awk '$1 == "dir" { print $2; exit }' "$conf")"
	[ -z "$dir" ] || (cd "$BENCH_DIR" && mkdir -p "$dir")
	# Run from the bench dir: the configs use paths relative to it.
	(cd "$BENCH_DIR" && redis-server "$conf" --daemonize yes >/dev/null)
	wait_for "Redis on port $port" redis_alive "$port" || die "Redis on port $port did not answer within ${SERVICE_TIMEOUT}s"
}

# ---------------------------------------------------------------- main
if [ "$SKIP_MARIADB" != "1" ]; then
	start_mariadb
fi

if [ "$SKIP_REDIS" != "1" ]; then
	[ -d "$BENCH_DIR" ] || die "bench directory $BENCH_DIR not found"
	BENCH_DIR="$(cd "$BENCH_DIR" && pwd)"
	command -v redis-server >/dev/null 2>&1 || die "redis-server not found"
	for name in redis_cache redis_queue; do
		start_redis "$BENCH_DIR/config/$name.conf"
	done
fi

log "all services answer"
