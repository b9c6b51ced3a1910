#!/usr/bin/env bash
# Usage: tools/demo.sh DB PORT LANGS
# Creates (or reuses and updates) the demo database and serves it.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
db=$1 port=$2 langs=$3
PYTHON=${PYTHON:-$here/tools/python.sh}
addons=$("$here/tools/addons_path.sh")
if psql -d "$db" -Atc "select 1 from ir_module_module where name='crm_workflow_automation' and state='installed'" 2>/dev/null | grep -q 1; then
    echo "Reusing the database '$db' (updating crm_workflow_automation)."
    mode=(-u crm_workflow_automation)
else
    dropdb --if-exists "$db"
    echo "Creating the database '$db' with crm, crm_workflow_automation and demo data (about a minute)."
    mode=(-i crm_workflow_automation)
    # en_US first: Odoo makes the first loaded language the default of a new
    # database (OdooBot's, and so the language of the demo's chatter messages)
    "$PYTHON" -m odoo -d "$db" --addons-path="$addons" "${mode[@]}" --load-language="en_US,$langs" \
        --stop-after-init --no-http --log-level=warn
    # admin / admin is Odoo's demo login; English stays the main language.
    "$PYTHON" -m odoo shell -d "$db" --addons-path="$addons" --no-http --log-level=warn <<'PY' >/dev/null
env["res.lang"]._activate_lang("en_US")
admin = env.ref("base.user_admin")
admin.write({"password": "admin", "lang": "en_US"})
env.cr.commit()
PY
    mode=()
fi
cat <<MSG

  CRM Workflow Automation demo
  ----------------------------
  Open   http://127.0.0.1:$port/web/login?db=$db
  Login  admin / admin   (CRM > Configuration > Workflow Automation)
  Stop   press Ctrl+C in this terminal

MSG
exec "$PYTHON" -m odoo -d "$db" --addons-path="$addons" "${mode[@]}" --load-language="$langs" \
    --db-filter="^$db\$" --http-interface=127.0.0.1 --http-port="$port" --log-level=warn
