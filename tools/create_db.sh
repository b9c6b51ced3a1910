#!/usr/bin/env bash
# Usage: [MODULES=a,b] tools/create_db.sh DB [extra odoo options...]
# Creates a fresh database DB with crm_workflow_automation (and crm; demo data
# included unless an option says otherwise), or with MODULES, and fails if the
# install logs an ERROR, or a WARNING that comes from this add-on.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
db=$1; shift
PYTHON=${PYTHON:-$here/tools/python.sh}
modules=${MODULES:-crm_workflow_automation}
addons=$("$here/tools/addons_path.sh")
log=$(mktemp /tmp/cwa-install-XXXX.log)
dropdb --if-exists "$db"
echo "Installing $modules into a fresh database '$db' (log: $log)..."
"$PYTHON" -m odoo -d "$db" --addons-path="$addons" -i "$modules" \
    --stop-after-init --no-http --log-level=info "$@" >"$log" 2>&1 || {
    tail -40 "$log" >&2
    echo "ERROR: installation failed, see $log" >&2
    exit 1
}
bad=$(grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$log" || true)
# (the database's name is cut out first: it may itself contain crm_workflow)
ours=$(grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ WARNING ' "$log" \
    | sed -E 's/^([0-9-]+ [0-9:,]+ [0-9]+ WARNING) [^ ]+ /\1 /' | grep -i 'crm_workflow' || true)
if [ -n "$bad$ours" ]; then
    printf '%s\n%s\n' "$bad" "$ours" >&2
    echo "ERROR: the install of crm_workflow_automation logged errors or warnings (full log: $log)" >&2
    exit 1
fi
echo "Database '$db' ready."
