#!/usr/bin/env bash
# Starts the local PostgreSQL cluster if it is not running and makes sure the
# current user has a superuser role (Odoo creates and drops databases).
set -euo pipefail
if ! pg_isready -q 2>/dev/null; then
    if command -v pg_ctlcluster >/dev/null 2>&1; then
        version=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)
        pg_ctlcluster --skip-systemctl-redirect "${version:-15}" main start
    fi
    for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
fi
pg_isready -q || { echo "ERROR: PostgreSQL is not running and could not be started." >&2; exit 2; }
me=$(id -un)
if ! psql -d postgres -Atc "select 1" >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; then
        su postgres -c "createuser -s $me" 2>/dev/null || true
    else
        echo "ERROR: no PostgreSQL role for $me; run: sudo -u postgres createuser -s $me" >&2
        exit 2
    fi
fi
