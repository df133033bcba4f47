#!/usr/bin/env bash
# Runs every test of serial_tracking from this checkout:
#   - the unit tests of the framework-free core, always (no site needed);
#   - when a bench with the test site is present, against THIS checkout's code (it is put first on
#     the bench's Python path and the site is migrated to it), three lanes side by side, each on a
#     site of its own: the integration tests on the test site; the browser tests on a copy of it;
#     the REST tests on another copy, then ERPNext's own stock tests on their site (in CI, or when
#     asked); after the browser tests, the scale-out tests (a MariaDB replica of the tests' own, two
#     web servers of one site) from the browser tests' copy. The copies are made again at each run
#     (scripts/copy-site.sh);
#   - last, the install/migrate/uninstall tests on the test site.
# Environment: BENCH_DIR (default ~/frappe-bench), ST_SITE (default st-test.localhost),
# ST_BROWSER_SITE and ST_REST_SITE (defaults st-browser.localhost, st-rest.localhost), ST_SKIP_MIGRATE=1
# to skip the migrate step, ST_LANES=1 to run the lanes one after the other, ST_ERPNEXT_TESTS=1 to
# run ERPNext's stock tests outside CI, DB_ROOT_PASSWORD (default root) to copy the site.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=${BENCH_DIR:-$HOME/frappe-bench}
site=${ST_SITE:-st-test.localhost}
status=0
summary=()
started=$(date +%s)

run_pytest() { # label dir python args...
	local label=$1 dir=$2 python=$3
	shift 3
	local log
	log=$(mktemp)
	(cd "$dir" && "$python" -m pytest -p no:cacheprovider "$@") 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local line
	# pytest's closing line, with or without its ===== frame (-q leaves it out).
	line=$(grep -E '^(=+ )?[0-9]+ (passed|failed|skipped|errors?|deselected).* in [0-9.]+s|no tests ran' "$log" |
		tail -n 1 | sed -E 's/^=+ //; s/ =+$//')
	rm -f "$log"
	# pytest exits 5 when it collected nothing: a suite that ran no test is a failure here.
	summary+=("$label: ${line:-no result} (exit $rc)")
	if [ "$rc" -ne 0 ]; then status=1; fi
}

# Unit tests: the bench's Python when there is one, else this machine's. The third-party packages
# they import, themselves or through the core: pytest, hypothesis, biip (GS1), google-re2 (code
# patterns), python-barcode and pyqrcode (labels).
if [ -x "$bench/env/bin/python" ]; then
	py="$bench/env/bin/python"
else
	py=$(command -v python3)
fi
if ! "$py" -c "import pytest, hypothesis, biip, re2, barcode, pyqrcode" 2>/dev/null; then
	"$py" -m pip install --quiet pytest hypothesis biip google-re2 python-barcode pyqrcode
fi
run_pytest "unit tests" "$repo" "$py" tests/unit -q

frappe_cli() { # site args...
	local on=$1
	shift
	(cd "$bench/sites" && "$bench/env/bin/python" -m frappe.utils.bench_helper frappe --site "$on" "$@")
}

# One suite of tests over HTTP (rest or browser) on a site served from this checkout on a free
# loopback port; the server stops whatever happens.
served_tests() { # suite site
	local suite=$1 on=$2
	local port url server_log server_pid ready
	port=$("$bench/env/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	url="http://127.0.0.1:$port"
	server_log=$(mktemp)
	(cd "$bench/sites" && exec "$bench/env/bin/python" "$repo/tests/browser/serve.py" "$on" "$port") >"$server_log" 2>&1 &
	server_pid=$!
	trap 'kill "$server_pid" 2>/dev/null' EXIT
	ready=0
	for _ in $(seq 60); do
		kill -0 "$server_pid" 2>/dev/null || break
		if "$bench/env/bin/python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
			"$url/api/method/ping" 2>/dev/null; then
			ready=1
			break
		fi
		sleep 0.5
	done
	if [ "$ready" = 1 ] && [ "$suite" = rest ]; then
		echo "== REST tests over HTTP on $url (site $on)"
		ST_SITE="$on" ST_REST_URL="$url" \
			run_pytest "REST tests" "$bench/sites" "$bench/env/bin/python" "$repo/tests/rest" -q --durations=10
	elif [ "$ready" = 1 ]; then
		echo "== browser tests: Desk in headless Chromium on $url (site $on)"
		ST_SITE="$on" ST_BROWSER_URL="$url" ST_CHROMIUM="$chromium_bin" ST_CHROMEDRIVER="$chromedriver_bin" \
			run_pytest "browser tests" "$repo" "$bench/env/bin/python" tests/browser -q --durations=10
	else
		summary+=("$suite tests: FAILED (the web server on $url did not answer)")
		status=1
	fi
	kill "$server_pid" 2>/dev/null
	wait "$server_pid" 2>/dev/null
	trap - EXIT
	case "${summary[-1]}" in
	*"(exit 0)") ;;
	*)
		echo "-- web server log, last lines"
		grep -v '"GET /assets/' "$server_log" | tail -n 30
		;;
	esac
	rm -f "$server_log"
}

copied() { # site: a copy of the test site made for a lane, or a failure said
	echo "== $1: a copy of $site"
	# Its background jobs in queues of its own (Frappe names a queue by the bench_id of the site's
	# configuration): a worker the integration tests start on the bench's queues never takes them.
	if BENCH_DIR="$bench" bash "$repo/scripts/copy-site.sh" "$site" "$1" &&
		frappe_cli "$1" set-config bench_id "serial-tracking-lane-$1" >/dev/null; then
		return 0
	fi
	summary+=("tests on $1: FAILED (could not copy $site to it)")
	status=1
	return 1
}

lane_integration() {
	echo "== integration tests on site $site of bench $bench, code from $repo"
	ST_SITE="$site" run_pytest "integration tests" "$bench/sites" "$bench/env/bin/python" "$repo/tests/integration" -q --durations=10
}

lane_rest() {
	copied "$rest_site" && served_tests rest "$rest_site"
	if [ "$erpnext_wanted" = 1 ]; then erpnext_tests; fi
}

lane_browser() {
	copied "$browser_site" || return
	chromium_bin=${ST_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
	chromedriver_bin=${ST_CHROMEDRIVER:-$(command -v chromedriver || true)}
	if [ -z "$chromium_bin" ] || [ -z "$chromedriver_bin" ]; then
		summary+=("browser tests: NOT RUN (no chromium/chromedriver)")
	elif [ ! -f "$bench/sites/assets/assets.json" ]; then
		summary+=("browser tests: NOT RUN (Desk assets not built in $bench/sites/assets)")
	else
		served_tests browser "$browser_site"
	fi
	scaleout_tests "$browser_site"
}

# The scale-out tests on the browser lane's site, once its browser tests are done: reads on a MariaDB
# replica (a primary and a replica of the tests' own, started by the test) and two web servers of one
# site with clerks racing over both. They serve their sites themselves.
scaleout_tests() { # site
	echo "== scale-out tests: a MariaDB replica and two web servers (from site $1)"
	ST_SITE="$1" run_pytest "scale-out tests" "$bench/sites" "$bench/env/bin/python" "$repo/tests/scaleout" -q --durations=10
}

erpnext_tests() {
	echo "== ERPNext's stock tests with the app installed and switched on"
	local log rc modules new
	log=$(mktemp)
	BENCH_DIR="$bench" bash "$repo/scripts/erpnext-stock-tests.sh" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	modules=$(grep -cE '^erpnext\..*tests ran' "$log")
	new=$(grep -E '^erpnext\..*tests ran' "$log" | grep -vc 'new: none$')
	summary+=("ERPNext stock tests: $modules modules, $new with failures ERPNext alone does not have (exit $rc)")
	rm -f "$log"
	if [ "$rc" -ne 0 ]; then status=1; fi
}

lane() { # name: run lane_<name>, keeping its output, summary lines and status under $lanes
	local name=$1
	(
		summary=()
		status=0
		lane_started=$(date +%s)
		"lane_$name"
		summary+=("  ($name lane: $(($(date +%s) - lane_started)) s)")
		printf '%s\n' "${summary[@]}" >"$lanes/$name.summary"
		exit "$status"
	) >"$lanes/$name.log" 2>&1
	echo $? >"$lanes/$name.rc"
}

if [ -d "$bench/sites/$site" ]; then
	bash "$repo/scripts/start-services.sh" "$bench" || { echo "could not start MariaDB and Redis"; exit 1; }
	"$bench/env/bin/python" -c "import pytest, hypothesis, barcode, openpyxl, biip, re2, requests, selenium" 2>/dev/null ||
		"$bench/env/bin/pip" install --quiet pytest hypothesis python-barcode openpyxl biip google-re2 requests selenium
	export PYTHONPATH="$repo${PYTHONPATH:+:$PYTHONPATH}"
	if ! grep -qx serial_tracking "$bench/sites/apps.txt"; then
		[ -z "$(tail -c 1 "$bench/sites/apps.txt")" ] || echo >>"$bench/sites/apps.txt"
		echo serial_tracking >>"$bench/sites/apps.txt"
	fi
	if ! frappe_cli "$site" list-apps 2>/dev/null | grep -q '^serial_tracking'; then
		frappe_cli "$site" install-app serial_tracking || { echo "install-app failed"; exit 1; }
	elif [ "${ST_SKIP_MIGRATE:-0}" != 1 ]; then
		frappe_cli "$site" migrate --skip-search-index >/dev/null || { echo "migrate failed"; exit 1; }
	fi
	echo "code under test: $("$bench/env/bin/python" -c 'import os, serial_tracking; print(os.path.dirname(serial_tracking.__file__))')"
	# The app's public files, linked as bench build links them (put back afterwards); doctype JS is
	# read from the app's package, so it follows PYTHONPATH by itself.
	assets_link="$bench/sites/assets/serial_tracking"
	assets_before=$(readlink "$assets_link" || true)
	if [ -L "$assets_link" ] || [ ! -e "$assets_link" ]; then
		ln -sfn "$repo/serial_tracking/public" "$assets_link"
	fi
	frappe_cli "$site" clear-cache >/dev/null
	# The tests' master data (ERPNext's test company, warehouses, items, parties) on the test site before
	# it is copied: the browser tests drive a copy over HTTP and make none themselves. Made once a site.
	(cd "$bench/sites" && ST_SITE="$site" "$bench/env/bin/python" -m tests.integration.master_data) ||
		{ echo "could not make the tests' master data on $site"; exit 1; }
	rest_site=${ST_REST_SITE:-st-rest.localhost}
	browser_site=${ST_BROWSER_SITE:-st-browser.localhost}
	erpnext_wanted=0
	if [ "${CI:-}" = true ] || [ "${ST_ERPNEXT_TESTS:-0}" = 1 ]; then erpnext_wanted=1; fi
	names=(integration browser rest)
	lanes=$(mktemp -d)
	trap 'kill $(jobs -p) 2>/dev/null' EXIT
	trap 'exit 130' INT TERM
	echo "== lanes side by side: ${names[*]} (each printed whole when it ends)"
	for name in "${names[@]}"; do
		if [ "${ST_LANES:-3}" = 1 ]; then lane "$name"; else lane "$name" & fi
	done
	for name in "${names[@]}"; do
		while [ ! -f "$lanes/$name.rc" ]; do sleep 2; done
		cat "$lanes/$name.log"
		mapfile -t lines <"$lanes/$name.summary"
		summary+=("${lines[@]}")
		[ "$(cat "$lanes/$name.rc")" = 0 ] || status=1
	done
	wait
	trap - EXIT INT TERM
	rm -rf "$lanes"
	[ "$erpnext_wanted" = 1 ] ||
		summary+=("ERPNext stock tests: NOT RUN (CI runs them; ST_ERPNEXT_TESTS=1 here)")
	if [ -n "$assets_before" ] && [ -L "$assets_link" ]; then ln -sfn "$assets_before" "$assets_link"; fi
	# Last: it uninstalls and reinstalls the app on the test site.
	ST_SITE="$site" run_pytest "install/migrate/uninstall tests" "$bench/sites" "$bench/env/bin/python" "$repo/tests/lifecycle" -q
else
	summary+=("integration tests: NOT RUN (no bench site at $bench/sites/$site)")
	summary+=("REST tests: NOT RUN (no bench site)")
	summary+=("browser tests: NOT RUN (no bench site)")
	summary+=("install/migrate/uninstall tests: NOT RUN (no bench site)")
fi

echo
echo "== serial_tracking test summary"
printf '%s\n' "${summary[@]}"
echo "all tests: $(($(date +%s) - started)) s"
exit $status
