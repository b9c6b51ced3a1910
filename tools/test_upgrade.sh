#!/usr/bin/env bash
# Usage: tools/test_upgrade.sh [FROM] [DB] [PORT]
# The upgrade test (README.md, "Tests"): installs crm_workflow_automation as
# it was at FROM (a commit, a tag, or a manifest version such as 18.0.1.0.0:
# the last commit with that version; default 18.0.1.0.0, the first release)
# from `git archive`, with demo data, into a fresh database DB, adds data of
# every kind (tools/upgrade_check.py populate), snapshots every row of the
# add-on, upgrades the database to the working tree with -u, and checks that
# no row or value was lost, that the demo data is loaded and that the jobs
# left open run. Fails loudly on any loss.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
from=${1:-18.0.1.0.0}
db=${2:-crm_workflow_upgrade}
port=${3:-8181}
PYTHON=${PYTHON:-$here/tools/python.sh}
ADDON=crm_workflow_automation
started=$(date +%s)
step() { echo "$1 ($(($(date +%s) - started)) s)"; }

# a manifest version: the last commit whose manifest has it
if [[ $from =~ ^[0-9]+(\.[0-9]+){4}$ ]] && ! git -C "$here" rev-parse -q --verify "$from^{commit}" >/dev/null; then
    version=$from
    from=""
    for commit in $(git -C "$here" log --format=%H -- "$ADDON/__manifest__.py"); do
        if git -C "$here" show "$commit:$ADDON/__manifest__.py" | grep -q "\"version\": \"$version\""; then
            from=$commit
            break
        fi
    done
    [ -n "$from" ] || { echo "ERROR: no commit has version $version" >&2; exit 1; }
fi
ref=$(git -C "$here" rev-parse --short "$from^{commit}")
old_version=$(git -C "$here" show "$ref:$ADDON/__manifest__.py" | sed -n 's/.*"version": "\(.*\)".*/\1/p')
new_version=$(sed -n 's/.*"version": "\(.*\)".*/\1/p' "$here/$ADDON/__manifest__.py")
echo "Upgrade test: $ADDON $old_version (commit $ref) -> $new_version (working tree), database '$db'"

tmp=$(mktemp -d /tmp/cwa-upgrade-XXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/old"
git -C "$here" archive "$ref" "$ADDON" | tar -x -C "$tmp/old"
new_path=$("$here/tools/addons_path.sh")
old_path="${new_path%%,*},$tmp/old"

fail_on_errors() {  # log, what
    local bad
    bad=$(grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$1" || true)
    bad+=$(grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ WARNING ' "$1" \
        | sed -E 's/^([0-9-]+ [0-9:,]+ [0-9]+ WARNING) [^ ]+ /\1 /' | grep -i 'crm_workflow' || true)
    if [ -n "$bad" ]; then
        printf '%s\n' "$bad" >&2
        echo "ERROR: $2 logged errors or warnings (full log: $1)" >&2
        cp "$1" "/tmp/cwa-upgrade-$db-$(basename "$1")"
        exit 1
    fi
}

# The add-on's dependencies with demo data, installed once per Odoo source
# and dependency list into a template database (most of an install's time);
# UPGRADE_FRESH=1 rebuilds it.
depends=$(git -C "$here" show "$ref:$ADDON/__manifest__.py" | "$PYTHON" -c \
    "import ast, sys; print(','.join(sorted(ast.literal_eval(sys.stdin.read())['depends'])))")
key=$("$PYTHON" -c "import hashlib, os, sys, odoo
root = os.path.dirname(odoo.__file__)
stamp = [odoo.release.version, sys.argv[1]] + [
    str(os.stat(p).st_mtime_ns) for p in (root, os.path.join(root, os.pardir, 'addons'))]
print(hashlib.md5(' '.join(stamp).encode()).hexdigest()[:8])" "$depends")
base="${UPGRADE_BASE:-${db}_base}_$key"
if [ "${UPGRADE_FRESH:-}" = 1 ] || ! psql -Atqc "SELECT 1 FROM pg_database WHERE datname = '$base'" postgres | grep -q 1; then
    step "0/5 template database '$base': $depends with demo data"
    dropdb --if-exists "$base.tmp"
    "$PYTHON" -m odoo -d "$base.tmp" --addons-path="$old_path" -i "$depends" --stop-after-init \
        --no-http --log-level=warn >"$tmp/base.log" 2>&1 || { tail -40 "$tmp/base.log" >&2; exit 1; }
    # copied with its filestore (the attachments of the demo data), which a
    # rename of the database would leave behind under the old name
    PYTHON="$PYTHON" "$here/tools/copy_db.sh" "$base.tmp" "$base" >/dev/null
    dropdb --if-exists "$base.tmp"
fi
PYTHON="$PYTHON" "$here/tools/copy_db.sh" "$base" "$db" >/dev/null
step "1/5 install $old_version with demo data"
"$PYTHON" -m odoo -d "$db" --addons-path="$old_path" -i "$ADDON" --stop-after-init \
    --no-http --log-level=warn >"$tmp/install.log" 2>&1 || { tail -40 "$tmp/install.log" >&2; exit 1; }
fail_on_errors "$tmp/install.log" "the install of $old_version"

step "2/5 data of every kind, with the code of $old_version"
"$PYTHON" "$here/tools/upgrade_check.py" populate --database "$db" \
    --addons-path "$old_path" --port "$port"

step "3/5 snapshot of every row"
"$PYTHON" "$here/tools/upgrade_check.py" snapshot --database "$db" \
    --addons-path "$old_path" --snapshot "$tmp/before.json"

step "4/5 upgrade to $new_version (-u $ADDON)"
"$PYTHON" -m odoo -d "$db" --addons-path="$new_path" -u "$ADDON" --stop-after-init \
    --no-http --log-level=info >"$tmp/upgrade.log" 2>&1 || { tail -40 "$tmp/upgrade.log" >&2; exit 1; }
fail_on_errors "$tmp/upgrade.log" "the upgrade"

step "5/5 compare, demo data, open jobs"
"$PYTHON" "$here/tools/upgrade_check.py" check --database "$db" \
    --addons-path "$new_path" --snapshot "$tmp/before.json" \
    --addon-dir "$here/$ADDON" --port "$port"
echo "Upgrade test passed in $(($(date +%s) - started)) s ($old_version -> $new_version)."
