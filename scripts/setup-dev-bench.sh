#!/usr/bin/env bash
# Set up a complete Frappe v15 + ERPNext v15 development bench with this app
# (serial_tracking) installed from the checkout that contains this script.
#
# Once the app is installed, the site is filled with a small demo (unless DEMO=0):
# `bench --site $SITE execute serial_tracking.devtools.demo.make_demo`. On a fresh site it
# first completes the setup wizard for the company "SN Demo Electronics" (USD,
# United States), so Desk opens on a working company, then makes warehouses,
# parties, SN-tracked items and submitted receipts, transfers, sales and returns.
# It runs once per site: a re-run sees the demo items and does nothing.
#
# Works on Debian 12 / Ubuntu 22.04+ as root or as a normal user with sudo.
# Steps already done are skipped, so the script can be re-run.
#
# Usage: scripts/setup-dev-bench.sh [--start] [--no-start]
#   --start / START_BENCH=1   run `bench start` at the end
#
# Environment (defaults in brackets):
#   FRAPPE_REPO        [https://github.com/frappe/frappe]   git URL or local path
#   FRAPPE_BRANCH      [version-15]
#   ERPNEXT_REPO       [https://github.com/frappe/erpnext]  git URL or local path
#   ERPNEXT_BRANCH     [version-15]
#   APP_SRC            [the checkout containing this script]
#   APP_NAME           [project name from APP_SRC/pyproject.toml, else serial_tracking]
#   BENCH_DIR          [$HOME/frappe-bench]
#   SITE               [serial-tracking.localhost]
#   TEST_SITE          [st-test.localhost]  site for scripts/test.sh; empty: none
#   DB_ROOT_PASSWORD   [root]    MariaDB root password (set if MariaDB is fresh)
#   ADMIN_PASSWORD     [admin]   Administrator password of the site
#   PYTHON             [python3] interpreter for the bench virtualenv (>= 3.10)
#   SKIP_APT=1                   do not install system packages
#   SKIP_WKHTMLTOPDF=1           do not try to install wkhtmltopdf (PDF printing)
#   SKIP_BROWSER=1               do not install chromium + chromium-driver (browser tests)
#   INSTALL_APP=0                build the bench and site without installing the app
#   DEMO=0                       do not fill the site with the demo (setup wizard left to you)
#   DEV_DB_SPEEDUPS=0            skip the dev-speed MariaDB settings (see below)
#   EXTRA_PIP_PACKAGES [pytest hypothesis]  extra dev packages for the bench env
#   START_BENCH        [0]
set -euo pipefail

# ---------------------------------------------------------------- settings
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

FRAPPE_REPO="${FRAPPE_REPO:-https://github.com/frappe/frappe}"
FRAPPE_BRANCH="${FRAPPE_BRANCH:-version-15}"
ERPNEXT_REPO="${ERPNEXT_REPO:-https://github.com/frappe/erpnext}"
ERPNEXT_BRANCH="${ERPNEXT_BRANCH:-version-15}"
APP_SRC="${APP_SRC:-$(cd "$SCRIPT_DIR/.." && pwd)}"
BENCH_DIR="${BENCH_DIR:-$HOME/frappe-bench}"
SITE="${SITE:-serial-tracking.localhost}"
TEST_SITE="${TEST_SITE-st-test.localhost}"
DB_ROOT_PASSWORD="${DB_ROOT_PASSWORD:-root}"
ADMIN_PASSWORD="${ADMIN_PASSWORD:-admin}"
PYTHON="${PYTHON:-python3}"
SKIP_APT="${SKIP_APT:-0}"
SKIP_WKHTMLTOPDF="${SKIP_WKHTMLTOPDF:-0}"
SKIP_BROWSER="${SKIP_BROWSER:-0}"
INSTALL_APP="${INSTALL_APP:-1}"
DEMO="${DEMO:-1}"
DEV_DB_SPEEDUPS="${DEV_DB_SPEEDUPS:-1}"
EXTRA_PIP_PACKAGES="${EXTRA_PIP_PACKAGES-pytest hypothesis}"
START_BENCH="${START_BENCH:-0}"
YARN_VERSION="1.22.22"
# frappe-bench is installed into its own virtualenv (Debian/Ubuntu system pip is
# "externally managed"); `bench` itself is linked into ~/.local/bin.
BENCH_CLI_VENV="${BENCH_CLI_VENV:-$HOME/.local/share/frappe-bench-cli}"

for arg in "$@"; do
	case "$arg" in
		--start) START_BENCH=1 ;;
		--no-start) START_BENCH=0 ;;
		-h | --help)
			sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
			exit 0
			;;
		*)
			echo "unknown argument: $arg" >&2
			exit 2
			;;
	esac
done

case "$BENCH_DIR" in
	/*) ;;
	*) BENCH_DIR="$PWD/$BENCH_DIR" ;;
esac

log() { printf '\n==> [%s] %s\n' "$(date +%T)" "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ]; then
	IS_ROOT=1
	SUDO=()
else
	IS_ROOT=0
	command -v sudo >/dev/null 2>&1 || die "run as root or install sudo"
	SUDO=(sudo)
fi

if [ -z "${APP_NAME:-}" ]; then
	APP_NAME="$(sed -n '/^\[project\]/,/^\[/{s/^name *= *"\([^"]*\)".*/\1/p}' "$APP_SRC/pyproject.toml" 2>/dev/null | head -n1 || true)"
	APP_NAME="${APP_NAME:-serial_tracking}"
fi

# ---------------------------------------------------------------- system packages
install_system_packages() {
	if [ "$SKIP_APT" = "1" ]; then
		log "skipping system packages (SKIP_APT=1)"
		return
	fi
	log "installing system packages"
	export DEBIAN_FRONTEND=noninteractive
	"${SUDO[@]}" apt-get update -qq
	"${SUDO[@]}" apt-get install -y -qq \
		git curl ca-certificates build-essential pkg-config \
		python3-dev python3-venv python3-pip \
		libffi-dev libssl-dev libmariadb-dev \
		mariadb-server mariadb-client redis-server \
		xvfb libfontconfig1 fontconfig \
		poppler-utils zbar-tools

	if [ "$SKIP_WKHTMLTOPDF" != "1" ] && ! command -v wkhtmltopdf >/dev/null 2>&1; then
		"${SUDO[@]}" apt-get install -y -qq wkhtmltopdf ||
			warn "wkhtmltopdf not available; PDF printing will not work (everything else does)"
	fi
	if [ "$SKIP_BROWSER" != "1" ]; then
		# Headless Chromium and its driver, for the browser tests (scripts/test.sh).
		"${SUDO[@]}" apt-get install -y -qq chromium chromium-driver ||
			warn "chromium / chromium-driver not available; the browser tests will not run"
	fi
}

# ---------------------------------------------------------------- node + yarn
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

install_node_and_yarn() {
	log "checking Node.js and yarn"
	if ! command -v node >/dev/null 2>&1 || [ "$(node_major)" -lt 18 ]; then
		if [ "$SKIP_APT" != "1" ]; then
			"${SUDO[@]}" apt-get install -y -qq nodejs npm
		fi
	fi
	command -v node >/dev/null 2>&1 || die "Node.js not found"
	[ "$(node_major)" -ge 18 ] || die "Node.js >= 18 is required (found $(node --version)); install a newer Node.js and re-run"

	if ! command -v yarn >/dev/null 2>&1 || [ "$(yarn --version 2>/dev/null | cut -d. -f1)" != "1" ]; then
		command -v npm >/dev/null 2>&1 || { [ "$SKIP_APT" = "1" ] || "${SUDO[@]}" apt-get install -y -qq npm; }
		"${SUDO[@]}" npm install -g "yarn@$YARN_VERSION"
	fi
	echo "node $(node --version), yarn $(yarn --version)"
}

# ---------------------------------------------------------------- MariaDB
# write_root_file PATH: write stdin to PATH (with sudo if needed); sets CONF_CHANGED=1
# when the content changed
write_root_file() {
	local tmp
	tmp="$(mktemp)"
	cat >"$tmp"
	if ! cmp -s "$tmp" "$1"; then
		"${SUDO[@]}" install -m 0644 "$tmp" "$1"
		CONF_CHANGED=1
	fi
	rm -f "$tmp"
}

configure_mariadb() {
	log "configuring MariaDB for Frappe"
	local confdir=/etc/mysql/mariadb.conf.d
	[ -d "$confdir" ] || confdir=/etc/mysql/conf.d
	CONF_CHANGED=0
	write_root_file "$confdir/99-frappe.cnf" <<-'EOF'
		# Frappe requires utf8mb4 with this collation
		[mysqld]
		character-set-client-handshake = FALSE
		character-set-server = utf8mb4
		collation-server = utf8mb4_unicode_ci

		[mysql]
		default-character-set = utf8mb4
	EOF

	# --- dev-speed section -------------------------------------------------
	# Trades crash durability for speed (fine for a dev/test database, never for
	# production). Disable with DEV_DB_SPEEDUPS=0.
	if [ "$DEV_DB_SPEEDUPS" = "1" ]; then
		write_root_file "$confdir/99-frappe-dev-speed.cnf" <<-'EOF'
			# Dev/test speed-ups: NOT for production data.
			[mysqld]
			innodb_flush_log_at_trx_commit = 2
			innodb_doublewrite = 0
			sync_binlog = 0
			innodb_buffer_pool_size = 256M
			innodb_log_file_size = 256M
		EOF
	elif [ -e "$confdir/99-frappe-dev-speed.cnf" ]; then
		"${SUDO[@]}" rm -f "$confdir/99-frappe-dev-speed.cnf"
		CONF_CHANGED=1
	fi

	# Restart a running server when the configuration changed.
	if [ "$CONF_CHANGED" = "1" ] && mariadb_alive; then
		"${SUDO[@]}" service mariadb restart >/dev/null 2>&1 ||
			"${SUDO[@]}" systemctl restart mariadb >/dev/null 2>&1 ||
			warn "could not restart MariaDB; restart it to apply the configuration"
	fi
	SKIP_REDIS=1 "$SCRIPT_DIR/start-services.sh"

	# Root password: keep unix_socket login for the OS root user (used by the
	# distribution's maintenance scripts) and add password login for Frappe.
	if mariadb_root_sql "SELECT 1" >/dev/null 2>&1; then
		if mariadb_root_sql "SELECT 1" --password-only >/dev/null 2>&1; then
			echo "MariaDB root password already works"
		else
			echo "setting MariaDB root password"
			mariadb_root_sql "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('${DB_ROOT_PASSWORD//\'/\'\'}') OR unix_socket; FLUSH PRIVILEGES;"
		fi
	else
		die "cannot log in to MariaDB as root (neither via sudo nor with DB_ROOT_PASSWORD)"
	fi
}

mariadb_alive() {
	"$(command -v mariadb-admin || command -v mysqladmin)" --connect-timeout=2 ping >/dev/null 2>&1
}

# mariadb_root_sql SQL [--password-only]: run SQL as the MariaDB root user
mariadb_root_sql() {
	local client
	client="$(command -v mariadb || command -v mysql)"
	# Over TCP so that the OS root user's unix_socket login cannot stand in for the password.
	if MYSQL_PWD="$DB_ROOT_PASSWORD" "$client" -uroot --protocol=TCP -h 127.0.0.1 -e "$1" 2>/dev/null; then
		return 0
	fi
	[ "${2:-}" = "--password-only" ] && return 1
	"${SUDO[@]}" "$client" -uroot -e "$1"
}

# ---------------------------------------------------------------- bench CLI
install_bench_cli() {
	log "installing frappe-bench"
	if [ ! -x "$BENCH_CLI_VENV/bin/bench" ]; then
		"$PYTHON" -m venv "$BENCH_CLI_VENV"
		"$BENCH_CLI_VENV/bin/pip" install -q --upgrade pip
		"$BENCH_CLI_VENV/bin/pip" install -q frappe-bench "setuptools<81"
	fi
	mkdir -p "$HOME/.local/bin"
	ln -sfn "$BENCH_CLI_VENV/bin/bench" "$HOME/.local/bin/bench"
	# bench calls helpers (uv, honcho) installed next to it
	export PATH="$BENCH_CLI_VENV/bin:$HOME/.local/bin:$PATH"
	bench --version
}

# bench refuses to run as root unless sites/common_site_config.json (relative to
# the working directory) names root as frappe_user.
set_frappe_user_root() {
	local dir="$1" conf="$1/sites/common_site_config.json"
	mkdir -p "$dir/sites"
	[ -f "$conf" ] || echo '{}' >"$conf"
	"$PYTHON" - "$conf" <<-'EOF'
		import json, sys
		path = sys.argv[1]
		with open(path) as f:
		    conf = json.load(f)
		if conf.get("frappe_user") != "root":
		    conf["frappe_user"] = "root"
		    with open(path, "w") as f:
		        json.dump(conf, f, indent=1, sort_keys=True)
	EOF
}

bench_in() {
	(cd "$BENCH_DIR" && bench "$@")
}

# ---------------------------------------------------------------- bench
init_bench() {
	if [ -d "$BENCH_DIR/apps/frappe" ] && [ -x "$BENCH_DIR/env/bin/python" ]; then
		log "bench already exists at $BENCH_DIR"
	else
		[ ! -e "$BENCH_DIR" ] || die "$BENCH_DIR exists but is not a complete bench; move it away and re-run"
		log "creating bench at $BENCH_DIR (frappe $FRAPPE_BRANCH from $FRAPPE_REPO)"
		local workdir
		workdir="$(mktemp -d)"
		if [ "$IS_ROOT" = "1" ]; then
			set_frappe_user_root "$workdir"
		fi
		(cd "$workdir" && bench init "$BENCH_DIR" \
			--frappe-path "$FRAPPE_REPO" \
			--frappe-branch "$FRAPPE_BRANCH" \
			--python "$PYTHON" \
			--skip-assets \
			--no-backups)
		rm -rf "$workdir"
	fi
	if [ "$IS_ROOT" = "1" ]; then
		set_frappe_user_root "$BENCH_DIR"
	fi
	# Some tooling still imports pkg_resources, removed from setuptools 81.
	bench_pip install -q "setuptools<81"
}

bench_pip() {
	if [ -x "$BENCH_DIR/env/bin/pip" ]; then
		"$BENCH_DIR/env/bin/pip" "$@"
	else
		uv pip "$@" --python "$BENCH_DIR/env/bin/python"
	fi
}

# app_in_bench APP: APP is in apps/ and apps.txt, and importable from the bench env
app_in_bench() {
	[ -d "$BENCH_DIR/apps/$1" ] && grep -qx "$1" "$BENCH_DIR/sites/apps.txt" 2>/dev/null &&
		(cd "$BENCH_DIR/sites" && "$BENCH_DIR/env/bin/python" -c "import $1") >/dev/null 2>&1
}

get_erpnext() {
	if app_in_bench erpnext; then
		log "erpnext already in bench"
		return
	fi
	log "getting erpnext $ERPNEXT_BRANCH from $ERPNEXT_REPO"
	bench_in get-app --branch "$ERPNEXT_BRANCH" --skip-assets erpnext "$ERPNEXT_REPO"
}

get_app() {
	if app_in_bench "$APP_NAME"; then
		log "$APP_NAME already in bench"
		return 0
	fi
	[ -f "$APP_SRC/pyproject.toml" ] || [ -f "$APP_SRC/setup.py" ] || {
		warn "$APP_SRC is not an installable Frappe app yet; skipping $APP_NAME"
		return 1
	}
	log "linking $APP_NAME from $APP_SRC"
	if [ -L "$BENCH_DIR/apps/$APP_NAME" ] && [ ! -e "$BENCH_DIR/apps/$APP_NAME" ]; then
		rm -f "$BENCH_DIR/apps/$APP_NAME" # dangling link from an earlier run
	fi
	if [ ! -e "$BENCH_DIR/apps/$APP_NAME" ]; then
		# `bench get-app --soft-link PATH` symlinks PATH into apps/ under PATH's own
		# basename, which must equal the app name; go through a correctly named
		# link when the checkout directory is named differently.
		local src="$APP_SRC"
		if [ "$(basename "$APP_SRC")" != "$APP_NAME" ]; then
			mkdir -p "$BENCH_DIR/.app-links"
			ln -sfn "$APP_SRC" "$BENCH_DIR/.app-links/$APP_NAME"
			src="$BENCH_DIR/.app-links/$APP_NAME"
		fi
		bench_in get-app --soft-link --skip-assets "$src" || warn "bench get-app $APP_NAME failed"
	fi
	if [ -e "$BENCH_DIR/apps/$APP_NAME" ]; then
		# point apps/<app> straight at the checkout
		ln -sfn "$APP_SRC" "$BENCH_DIR/apps/$APP_NAME"
	fi
	if ! app_in_bench "$APP_NAME"; then
		# linked, but get-app did not finish: do what it does by hand
		[ -e "$BENCH_DIR/apps/$APP_NAME" ] || return 1
		bench_pip install -q -e "$BENCH_DIR/apps/$APP_NAME" || return 1
		if [ -f "$BENCH_DIR/apps/$APP_NAME/package.json" ]; then
			(cd "$BENCH_DIR/apps/$APP_NAME" && yarn install --check-files) || return 1
		fi
		local apps_txt="$BENCH_DIR/sites/apps.txt"
		grep -qx "$APP_NAME" "$apps_txt" && return 0
		if [ -s "$apps_txt" ] && [ -n "$(tail -c1 "$apps_txt")" ]; then
			echo >>"$apps_txt" # bench writes apps.txt without a final newline
		fi
		echo "$APP_NAME" >>"$apps_txt"
	fi
}

site_apps() {
	bench_in --site "$SITE" list-apps --format json 2>/dev/null |
		"$PYTHON" -c 'import json,sys; d=json.load(sys.stdin); print("\n".join(next(iter(d.values()))))' 2>/dev/null ||
		bench_in --site "$SITE" list-apps 2>/dev/null | awk '{print $1}'
}

create_site() {
	if [ -f "$BENCH_DIR/sites/$SITE/site_config.json" ]; then
		log "site $SITE already exists"
	else
		log "creating site $SITE"
		bench_in new-site "$SITE" \
			--db-root-username root \
			--db-root-password "$DB_ROOT_PASSWORD" \
			--admin-password "$ADMIN_PASSWORD" \
			--install-app erpnext
	fi
	if ! site_apps | grep -qx erpnext; then
		bench_in --site "$SITE" install-app erpnext
	fi
	bench_in --site "$SITE" set-config developer_mode 1
	bench_in --site "$SITE" clear-cache
	bench_in use "$SITE"
}

install_app_on_site() {
	if site_apps | grep -qx "$APP_NAME"; then
		log "$APP_NAME already installed on $SITE: migrating it to the checkout's code"
		bench_in --site "$SITE" migrate
		return 0
	fi
	log "installing $APP_NAME on $SITE"
	bench_in --site "$SITE" install-app "$APP_NAME"
}

# A second site for the integration and browser tests (scripts/test.sh): ERPNext and the app,
# no demo; the tests make their own data. Made before the main site, which stays the default.
create_test_site() {
	if [ -z "$TEST_SITE" ]; then
		log "no test site (TEST_SITE is empty)"
		return 0
	fi
	(
		SITE="$TEST_SITE"
		create_site
		if [ "$APP_READY" = "1" ]; then install_app_on_site; fi
		bench_in --site "$SITE" set-config allow_tests true
	)
}

# Company, master data and stock documents showing the app at work; once per site.
make_demo() {
	if [ "$DEMO" != "1" ]; then
		log "skipping the demo data (DEMO=$DEMO)"
		DEMO_STATUS="skipped (DEMO=$DEMO)"
		return 0
	fi
	log "filling $SITE with the demo data (skip with DEMO=0)"
	if bench_in --site "$SITE" execute "$APP_NAME.devtools.demo.make_demo"; then
		DEMO_STATUS="on the site (Serial Number list: http://$SITE:8000/app/serial-number)"
	else
		warn "the demo data could not be made on $SITE"
		DEMO_STATUS="FAILED (see the output above)"
	fi
}

# ---------------------------------------------------------------- main
install_system_packages
install_node_and_yarn
configure_mariadb
install_bench_cli
init_bench
bench_in set-config -g developer_mode 1
SKIP_MARIADB=1 "$SCRIPT_DIR/start-services.sh" "$BENCH_DIR"
get_erpnext

APP_READY=0
if [ "$INSTALL_APP" = "1" ]; then
	if get_app; then
		APP_READY=1
	else
		warn "continuing without $APP_NAME"
	fi
fi

if [ -n "$EXTRA_PIP_PACKAGES" ]; then
	log "installing dev packages into the bench env: $EXTRA_PIP_PACKAGES"
	# shellcheck disable=SC2086
	bench_pip install -q $EXTRA_PIP_PACKAGES
fi

log "building assets"
bench_in build

create_test_site || warn "the test site $TEST_SITE could not be made; scripts/test.sh runs the unit tests only"
create_site
APP_STATUS="NOT installed (see warnings above)"
DEMO_STATUS="not made (the app is not installed)"
if [ "$APP_READY" = "1" ]; then
	if install_app_on_site; then
		APP_STATUS="installed from $APP_SRC"
		make_demo
	else
		warn "installing $APP_NAME on $SITE failed"
	fi
elif [ "$INSTALL_APP" != "1" ]; then
	APP_STATUS="not installed (INSTALL_APP=$INSTALL_APP)"
fi

log "done"
cat >&2 <<-EOF
	bench:  $BENCH_DIR
	site:   $SITE  (Administrator / $ADMIN_PASSWORD), developer_mode on
	app:    $APP_NAME $APP_STATUS
	demo:   $DEMO_STATUS
	start:  cd $BENCH_DIR && bench start   -> http://$SITE:8000
	tests:  bash $SCRIPT_DIR/test.sh  (test site: ${TEST_SITE:-none}; starts MariaDB + Redis itself)
EOF

if [ "$START_BENCH" = "1" ]; then
	# bench start runs its own Redis servers; stop the daemonized ones first.
	for conf in "$BENCH_DIR"/config/redis_cache.conf "$BENCH_DIR"/config/redis_queue.conf; do
		port="$(awk '$1 == "port" { print $2; exit }' "$conf")"
		redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
	done
	cd "$BENCH_DIR"
	exec bench start
fi
