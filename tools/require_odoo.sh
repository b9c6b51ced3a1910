#!/usr/bin/env bash
# Fails in one line when Odoo 18.0 is not importable by the project's Python.
PYTHON=${PYTHON:-$(cd "$(dirname "$0")" && pwd)/python.sh}
if ! version=$("$PYTHON" -c "import odoo.release as r; print(r.version)" 2>/dev/null); then
    echo "ERROR: Odoo 18.0 is not importable as 'odoo' by $PYTHON; run 'make setup' (README.md § 'Prerequisites')." >&2
    exit 2
fi
case "$version" in
    18.0*) ;;
    *) echo "ERROR: $PYTHON imports Odoo $version, need 18.0; run 'make setup' (README.md § 'Prerequisites')." >&2; exit 2 ;;
esac
