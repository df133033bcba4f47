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
	line=$(grep -E '^=+ .*(passed|failed|skipped|error|no tests ran).* =+$' "$log" | tail -n 1 | sed -E 's/^=+ //; s/ =+$//')
	rm -f "$log"
	summary+=("$label: ${line:-no result} (exit $rc)")
	if [ "$rc" -ne 0 ]; then status=1; fi
}

# Unit tests: the bench's Python when there is one, else this machine's.
if [ -x "$bench/env/bin/python" ]; then
	py="$bench/env/bin/python"
else
	py=$(command -v python3)
fi
if ! "$py" -c "import pytest, hypothesis" 2>/dev/null; then
	"$py" -m pip install --quiet pytest hypothesis
fi
run_pytest "unit tests" "$repo" "$py" tests/unit -q

if [ -d "$bench/sites/$site" ]; then
	echo "== integration tests on site $site of bench $bench, code from $repo"
	bash "$repo/scripts/start-services.sh" "$bench" || { echo "could not start MariaDB and Redis"; exit 1; }
	"$bench/env/bin/python" -c "import pytest, hypothesis, barcode" 2>/dev/null ||
		"$bench/env/bin/pip" install --quiet pytest hypothesis python-barcode openpyxl
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
	ST_SITE="$site" run_pytest "integration tests" "$bench/sites" "$bench/env/bin/python" "$repo/tests/integration" -q
	# Last: it uninstalls and reinstalls the app on the test site.
	ST_SITE="$site" run_pytest "install/migrate/uninstall tests" "$bench/sites" "$bench/env/bin/python" "$repo/tests/lifecycle" -q
else
	summary+=("integration tests: NOT RUN (no bench site at $bench/sites/$site)")
	summary+=("install/migrate/uninstall tests: NOT RUN (no bench site)")
fi

echo
echo "== serial_tracking test summary"
printf '%s\n' "${summary[@]}"
exit $status
