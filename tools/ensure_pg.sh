#!/usr/bin/env bash
# Starts the local PostgreSQL cluster if it is not running and makes sure the
# database role (PGUSER, else the current user) exists as a superuser (Odoo
# creates and drops databases). Honours PGPORT (the cluster on that port) and
# the other libpq variables, as psql and Odoo do.
set -euo pipefail
port=${PGPORT:-5432}
role=${PGUSER:-$(id -un)}
if ! pg_isready -q 2>/dev/null; then
    if command -v pg_ctlcluster >/dev/null 2>&1; then
        # Debian's clusters: the one on $port, or a new "main" if there is none
        cluster=$(pg_lsclusters -h 2>/dev/null | awk -v p="$port" '$3 == p {print $1, $2; exit}')
        if [ -z "$cluster" ] && [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
            version=$(ls /usr/lib/postgresql | sort -n | tail -1)
            echo "Creating the PostgreSQL $version cluster 'main' on port $port."
            pg_createcluster --port "$port" "$version" main >/dev/null
            cluster="$version main"
        fi
        if [ -n "$cluster" ]; then
            echo "Starting PostgreSQL ($cluster, port $port)."
            # shellcheck disable=SC2086
            pg_ctlcluster --skip-systemctl-redirect $cluster start
        fi
    fi
    for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
fi
pg_isready -q || {
    echo "ERROR: PostgreSQL is not running on port $port and could not be started." >&2
    exit 2
}
if ! psql -d postgres -Atc "select 1" >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; then
        echo "Creating the PostgreSQL superuser role '$role'."
        (cd / && env -u PGHOST -u PGUSER su postgres -s /bin/sh -c "createuser -p '$port' -s '$role'")
    else
        echo "ERROR: no PostgreSQL role for $role; run: sudo -u postgres createuser -p $port -s $role" >&2
        exit 2
    fi
fi
