#!/usr/bin/env bash
# Usage: tools/copy_db.sh SOURCE TARGET
# TARGET becomes a copy of the database SOURCE: the PostgreSQL database
# (CREATE DATABASE ... TEMPLATE, so nothing may be connected to SOURCE) and
# its filestore, the attachments' files, in Odoo's data_dir
# (~/.local/share/Odoo/filestore/<db> unless an Odoo configuration file,
# ODOO_RC or ~/.odoorc, sets data_dir). make test runs pytest on such a copy
# while Odoo's runner runs on the original.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-$here/tools/python.sh}
source=$1
target=$2
[ "$source" != "$target" ] || { echo "ERROR: copy_db.sh: SOURCE and TARGET are both '$source'" >&2; exit 1; }
filestores=$("$PYTHON" - "$source" "$target" <<'PY'
import sys

from odoo.tools import config

config.parse_config([])
print(config.filestore(sys.argv[1]))
print(config.filestore(sys.argv[2]))
PY
)
from_fs=$(sed -n 1p <<<"$filestores")
to_fs=$(sed -n 2p <<<"$filestores")
[ -n "$from_fs" ] && [ -n "$to_fs" ] || { echo "ERROR: no filestore path for '$source' / '$target'" >&2; exit 1; }
dropdb --if-exists "$target"
createdb -T "$source" "$target"
rm -rf "$to_fs"
if [ -d "$from_fs" ]; then
    mkdir -p "$(dirname "$to_fs")"
    cp -a "$from_fs" "$to_fs"
fi
echo "Database '$target' ready: a copy of '$source' (filestore: $to_fs)."
