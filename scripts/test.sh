#!/usr/bin/env bash
# Runs every test of serial_tracking from this checkout:
#   - the unit tests of the framework-free core, always (no site needed);
#   - the integration tests, when a bench with the test site is present,
#     against THIS checkout's code (it is put first on the bench's Python path
#     and the site is migrated to it).
# Environment: BENCH_DIR (default ~/frappe-bench), ST_SITE (default st-test.localhost),
# ST_SKIP_MIGRATE=1 to skip the migrate step.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=${BENCH_DIR:-$HOME/frappe-bench}
site=${ST_SITE:-st-test.localhost}
status=0
summary=()

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
# they import, themselves or through the core: pytest, hypothesis, biip (GS1) and python-barcode.
if [ -x "$bench/env/bin/python" ]; then
	py="$bench/env/bin/python"
else
	py=$(command -v python3)
fi
if ! "$py" -c "import pytest, hypothesis, biip, barcode" 2>/dev/null; then
	"$py" -m pip install --quiet pytest hypothesis biip python-barcode
fi
run_pytest "unit tests" "$repo" "$py" tests/unit -q

if [ -d "$bench/sites/$site" ]; then
	echo "== integration tests on site $site of bench $bench, code from $repo"
	bash "$repo/scripts/start-services.sh" "$bench" || { echo "could not start MariaDB and Redis"; exit 1; }
	"$bench/env/bin/python" -c "import pytest, hypothesis, barcode, openpyxl, biip" 2>/dev/null ||
		"$bench/env/bin/pip" install --quiet pytest hypothesis python-barcode openpyxl biip
	export PYTHONPATH="$repo${PYTHONPATH:+:$PYTHONPATH}"
	if ! grep -qx serial_tracking "$bench/sites/apps.txt"; then
		[ -z "$(tail -c 1 "$bench/sites/apps.txt")" ] || echo >>"$bench/sites/apps.txt"
		echo serial_tracking >>"$bench/sites/apps.txt"
	fi
	frappe_cli() { (cd "$bench/sites" && "$bench/env/bin/python" -m frappe.utils.bench_helper frappe --site "$site" "$@"); }
	if ! frappe_cli list-apps 2>/dev/null | grep -q '^serial_tracking'; then
		frappe_cli install-app serial_tracking || { echo "install-app failed"; exit 1; }
	elif [ "${ST_SKIP_MIGRATE:-0}" != 1 ]; then
		frappe_cli migrate --skip-search-index >/dev/null || { echo "migrate failed"; exit 1; }
	fi
	echo "code under test: $("$bench/env/bin/python" -c 'import os, serial_tracking; print(os.path.dirname(serial_tracking.__file__))')"
	ST_SITE="$site" run_pytest "integration tests" "$bench/sites" "$bench/env/bin/python" "$repo/tests/integration" -q --durations=10
	# REST and browser tests: this site served from this checkout on a free loopback port; the
	# server stops whatever happens.
	chromium_bin=${ST_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
	chromedriver_bin=${ST_CHROMEDRIVER:-$(command -v chromedriver || true)}
	"$bench/env/bin/python" -c "import requests, selenium" 2>/dev/null || "$bench/env/bin/pip" install --quiet requests selenium
	# The app's public files, linked as bench build links them (put back afterwards);
	# doctype JS is read from the app's package, so it follows PYTHONPATH by itself.
	assets_link="$bench/sites/assets/serial_tracking"
	assets_before=$(readlink "$assets_link" || true)
	if [ -L "$assets_link" ] || [ ! -e "$assets_link" ]; then
		ln -sfn "$repo/serial_tracking/public" "$assets_link"
	fi
	frappe_cli clear-cache >/dev/null
	port=$("$bench/env/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	url="http://127.0.0.1:$port"
	server_log=$(mktemp)
	(cd "$bench/sites" && exec "$bench/env/bin/python" "$repo/tests/browser/serve.py" "$site" "$port") >"$server_log" 2>&1 &
	server_pid=$!
	trap 'kill "$server_pid" 2>/dev/null' EXIT
	trap 'exit 130' INT TERM
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
	show_server_log=0
	if [ "$ready" = 1 ]; then
		echo "== REST tests over HTTP on $url"
		ST_SITE="$site" ST_REST_URL="$url" \
			run_pytest "REST tests" "$bench/sites" "$bench/env/bin/python" "$repo/tests/rest" -q --durations=10
		case "${summary[-1]}" in *"(exit 0)") ;; *) show_server_log=1 ;; esac
		# Browser tests: Desk in headless Chromium.
		if [ -z "$chromium_bin" ] || [ -z "$chromedriver_bin" ]; then
			summary+=("browser tests: NOT RUN (no chromium/chromedriver)")
		elif [ ! -f "$bench/sites/assets/assets.json" ]; then
			summary+=("browser tests: NOT RUN (Desk assets not built in $bench/sites/assets)")
		else
			echo "== browser tests on site $site"
			ST_BROWSER_URL="$url" ST_CHROMIUM="$chromium_bin" ST_CHROMEDRIVER="$chromedriver_bin" \
				run_pytest "browser tests" "$repo" "$bench/env/bin/python" tests/browser -q --durations=10
			case "${summary[-1]}" in *"(exit 0)") ;; *) show_server_log=1 ;; esac
		fi
	else
		summary+=("REST tests: FAILED (the web server on $url did not answer)")
		summary+=("browser tests: NOT RUN (the web server on $url did not answer)")
		status=1
		show_server_log=1
	fi
	kill "$server_pid" 2>/dev/null
	wait "$server_pid" 2>/dev/null
	trap - EXIT INT TERM
	if [ "$show_server_log" = 1 ]; then
		echo "-- web server log, last lines"
		grep -v '"GET /assets/' "$server_log" | tail -n 30
	fi
	rm -f "$server_log"
	if [ -n "$assets_before" ] && [ -L "$assets_link" ]; then ln -sfn "$assets_before" "$assets_link"; fi
	# ERPNext's own stock tests with the app switched on, on a site of their own: in CI, or when asked.
	if [ "${CI:-}" = true ] || [ "${ST_ERPNEXT_TESTS:-0}" = 1 ]; then
		echo "== ERPNext's stock tests with the app installed and switched on"
		erpnext_log=$(mktemp)
		BENCH_DIR="$bench" bash "$repo/scripts/erpnext-stock-tests.sh" 2>&1 | tee "$erpnext_log"
		rc=${PIPESTATUS[0]}
		modules=$(grep -cE '^erpnext\..*tests ran' "$erpnext_log")
		new=$(grep -E '^erpnext\..*tests ran' "$erpnext_log" | grep -vc 'new: none$')
		summary+=("ERPNext stock tests: $modules modules, $new with failures ERPNext alone does not have (exit $rc)")
		rm -f "$erpnext_log"
		if [ "$rc" -ne 0 ]; then status=1; fi
	else
		summary+=("ERPNext stock tests: NOT RUN (CI runs them; ST_ERPNEXT_TESTS=1 here)")
	fi
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
exit $status
