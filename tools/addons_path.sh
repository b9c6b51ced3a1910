#!/usr/bin/env bash
# Prints the addons path: Odoo's own addons folder, the OCA add-ons that
# make addon-deps installed (.addons-deps, see requirements-addons.txt), then
# this repository.
here=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-$here/tools/python.sh}
"$PYTHON" - "$here" <<'PY'
import os, sys
import odoo
here = sys.argv[1]
root = os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__)))
candidates = (
    os.path.join(root, "addons"),
    os.path.join(here, ".addons-deps", "odoo", "addons"),
)
paths = [p for p in candidates if os.path.isdir(p)]
print(",".join(paths + [here]))
PY
