#!/usr/bin/env bash
# Fails in one line when Odoo 18.0 is not importable (the test host is missing).
PYTHON=${PYTHON:-python3}
if ! version=$("$PYTHON" -c "import odoo.release as r; print(r.version)" 2>/dev/null); then
    echo "ERROR: Odoo 18.0 is not importable as 'odoo' by $PYTHON; install the test host as README.md § 'Prerequisites' explains." >&2
    exit 2
fi
case "$version" in
    18.0*) ;;
    *) echo "ERROR: found Odoo $version, need 18.0; see README.md § 'Prerequisites'." >&2; exit 2 ;;
esac
