#!/usr/bin/env bash
# Prints the addons path: Odoo's own addons folder, then this repository.
here=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-$here/tools/python.sh}
"$PYTHON" - "$here" <<'PY'
import os, sys
import odoo
root = os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__)))
paths = [p for p in (os.path.join(root, "addons"),) if os.path.isdir(p)]
print(",".join(paths + [sys.argv[1]]))
PY
