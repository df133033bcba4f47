#!/usr/bin/env bash
# Make the site TO a copy of the site FROM, from scratch each time: Frappe's own new-site, its
# database started from a dump of FROM's, and FROM's configuration but its database's name and
# password. scripts/test.sh runs the REST and browser tests on such a copy beside the integration
# tests on the test site.
#
# Usage: scripts/copy-site.sh FROM TO
# Environment: BENCH_DIR (default ~/frappe-bench), DB_ROOT_PASSWORD (default root).
set -euo pipefail

bench=${BENCH_DIR:-$HOME/frappe-bench}
from=$1
to=$2
root_password=${DB_ROOT_PASSWORD:-root}
cd "$bench/sites"
[ -f "$from/site_config.json" ] || { echo "no site $from in $bench/sites"; exit 1; }

dump=$(mktemp --suffix .sql)
trap 'rm -f "$dump"' EXIT
db_name=$("$bench/env/bin/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["db_name"])' \
	"$from/site_config.json")
dumper=$(command -v mariadb-dump || command -v mysqldump)
"$dumper" -uroot -p"$root_password" --single-transaction --quick "$db_name" >"$dump"

"$bench/env/bin/python" -m frappe.utils.bench_helper frappe new-site "$to" --force \
	--source-sql "$dump" --db-root-username root --db-root-password "$root_password" \
	--admin-password admin >/dev/null
# FROM's configuration (allow_tests, developer_mode, ...), TO's own database.
"$bench/env/bin/python" - "$from/site_config.json" "$to/site_config.json" <<'EOF'
import json
import sys

source, target = (json.load(open(path)) for path in sys.argv[1:])
own = {key: target[key] for key in ("db_name", "db_password") if key in target}
json.dump({**source, **own}, open(sys.argv[2], "w"), indent=1, sort_keys=True)
EOF
echo "$to: a copy of $from"
