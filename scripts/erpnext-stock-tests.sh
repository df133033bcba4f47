#!/usr/bin/env bash
# ERPNext's own stock test modules, on a site with ERPNext and this app installed and the app
# switched on: the app must not change anything ERPNext does for items it does not track.
#
# A long proof (tens of minutes), so not part of scripts/test.sh. It uses a site of its own
# (ERPNext's tests fill a site with their test records), made on first use.
#
# Environment: BENCH_DIR (default ~/frappe-bench), ST_ERPNEXT_SITE (default st-erpnext.localhost),
# DB_ROOT_PASSWORD (default root), ST_ERPNEXT_MODULES (default: the four below, space-separated).
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=${BENCH_DIR:-$HOME/frappe-bench}
site=${ST_ERPNEXT_SITE:-st-erpnext.localhost}
modules=${ST_ERPNEXT_MODULES:-"erpnext.stock.doctype.stock_reconciliation.test_stock_reconciliation
erpnext.stock.doctype.delivery_note.test_delivery_note
erpnext.stock.doctype.purchase_receipt.test_purchase_receipt
erpnext.stock.doctype.stock_entry.test_stock_entry"}

bash "$repo/scripts/start-services.sh" "$bench" || { echo "could not start MariaDB and Redis"; exit 1; }
export PYTHONPATH="$repo${PYTHONPATH:+:$PYTHONPATH}"
frappe_cli() { (cd "$bench/sites" && "$bench/env/bin/python" -m frappe.utils.bench_helper frappe "$@"); }

if [ ! -f "$bench/sites/$site/site_config.json" ]; then
	frappe_cli new-site "$site" --db-root-username root --db-root-password "${DB_ROOT_PASSWORD:-root}" \
		--admin-password admin --install-app erpnext || exit 1
fi
if ! frappe_cli --site "$site" list-apps 2>/dev/null | grep -q '^serial_tracking'; then
	frappe_cli --site "$site" install-app serial_tracking || exit 1
else
	frappe_cli --site "$site" migrate --skip-search-index >/dev/null || exit 1
fi
frappe_cli --site "$site" set-config allow_tests true >/dev/null
# The app switched on, as on a site that uses it.
frappe_cli --site "$site" execute serial_tracking.devtools.site.switch_on >/dev/null || exit 1

# ERPNext's tests take today's date at several moments of one test (a posting date, then a due date):
# a module running across the site's midnight fails some of them ("Due Date cannot be before
# Posting Date"). A module starts only when the site's midnight is more than 5 minutes away.
clear_of_midnight() {
	local left
	left=$(frappe_cli --site "$site" execute serial_tracking.devtools.site.seconds_to_midnight 2>/dev/null |
		tail -n 1 | tr -dc '0-9')
	if [ -n "$left" ] && [ "$left" -lt 300 ]; then
		echo "waiting $((left + 5)) s for the site's midnight to pass"
		sleep $((left + 5))
	fi
}

known=$(grep -v '^#' "$repo/scripts/erpnext-known-failures.txt" | sed '/^$/d')
status=0
summary=()
for module in $modules; do
	clear_of_midnight
	log=$(mktemp)
	frappe_cli --site "$site" run-tests --module "$module" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	ran=$(grep -oE '^Ran [0-9]+ tests' "$log" | awk '{print $2}')
	# run-tests can exit 0 with failures: its own lines decide.
	failed=$(grep -E '^(ERROR|FAIL): ' "$log" | sed -E 's/^(ERROR|FAIL): ([^ ]+).*/\2/' | sort -u)
	new=$(comm -23 <(printf '%s\n' "$failed" | sed '/^$/d') <(printf '%s\n' "$known" | sort -u))
	count=$(printf '%s\n' "$failed" | sed '/^$/d' | wc -l)
	if [ -z "$ran" ] || [ -n "$new" ] || { [ "$rc" -ne 0 ] && [ "$count" -eq 0 ]; }; then
		status=1
	fi
	newcount=$(printf '%s\n' "$new" | sed '/^$/d' | wc -l)
	summary+=("$module: ${ran:-no} tests ran, $count failed: $((count - newcount)) also fail on ERPNext alone, new: ${new:-none}")
	rm -f "$log"
done
echo
echo "== ERPNext stock tests with serial_tracking installed and switched on (site $site)"
printf '%s\n' "${summary[@]}"
exit $status
