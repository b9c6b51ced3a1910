#!/usr/bin/env bash
# End-to-end check that `make test` and `make demo` set Odoo 18.0 and
# PostgreSQL up by themselves, independent of CI. Run as root on a Debian
# machine with PostgreSQL installed (apt is only used for what is missing):
#
#   ODOO_SRC=<Odoo 18.0 git checkout, directory or URL> tools/check_fresh_setup.sh
#
# The fresh state, made in a temporary directory and removed at the end:
# - a fresh clone of this repository (its committed HEAD);
# - BASE_PYTHON: a new virtual environment without the system site packages,
#   so Odoo is not importable by it however the machine's python3 is set up;
# - empty pip and Odoo source caches (XDG_CACHE_HOME), and no pip
#   configuration (find-links and local indexes of the machine are ignored);
# - a new PostgreSQL cluster cwa_fresh_<port> on FRESH_PGPORT (5440), without the role, used
#   through PGPORT; dropped at the end.
# Then `make test` (must end with pytest's summary line) and `make demo`
# (must serve its login page on FRESH_HTTP_PORT, 8270), each timed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
: "${ODOO_SRC:?set ODOO_SRC to an Odoo 18.0 checkout, directory or git URL}"
pgport=${FRESH_PGPORT:-5440}
http_port=${FRESH_HTTP_PORT:-8270}
base_python=${BASE_PYTHON:-python3}
cluster=cwa_fresh_$pgport
pgversion=$(ls /usr/lib/postgresql | sort -n | tail -1)
tmp=$(mktemp -d /tmp/cwa-fresh-XXXX)
demo_pid=
made_cluster=

cleanup() {
    if [ -n "$demo_pid" ]; then kill -- -"$demo_pid" 2>/dev/null || true; fi
    if [ -n "$made_cluster" ]; then pg_dropcluster --stop "$pgversion" "$cluster" || true; fi
    if [ -z "${KEEP:-}" ]; then rm -rf "$tmp"; else echo "Kept $tmp"; fi
}
trap cleanup EXIT

if pg_lsclusters -h | awk -v p="$pgport" '$3 == p {found=1} END {exit !found}'; then
    echo "ERROR: a PostgreSQL cluster already uses port $pgport (pg_lsclusters)." >&2
    exit 2
fi

echo "== Fresh state in $tmp"
git clone --quiet "$here" "$tmp/repo"
"$base_python" -m venv --without-pip "$tmp/python"
if "$tmp/python/bin/python" -c "import odoo" 2>/dev/null; then
    echo "ERROR: odoo is importable by the fresh $tmp/python" >&2
    exit 1
fi
pg_createcluster --port "$pgport" "$pgversion" "$cluster" >/dev/null
made_cluster=1
echo "   repo $(git -C "$tmp/repo" log --oneline -1)"
echo "   BASE_PYTHON $tmp/python/bin/python (odoo not importable)"
echo "   PostgreSQL $pgversion cluster '$cluster' on port $pgport, stopped, no role $(id -un)"

export PGPORT=$pgport ODOO_SRC XDG_CACHE_HOME=$tmp/cache PIP_CONFIG_FILE=/dev/null
unset PIP_FIND_LINKS PIP_EXTRA_INDEX_URL PIP_INDEX_URL PIP_CONSTRAINT PGHOST PGDATABASE
make_args=(-C "$tmp/repo" --no-print-directory BASE_PYTHON="$tmp/python/bin/python"
    TEST_DB=cwa_setup DEMO_DB=cwa_setup_demo DEMO_PORT="$http_port" HTTP_PORT=$((http_port + 2)))

echo "== make test (log: $tmp/test.log)"
start=$SECONDS
status=0
make "${make_args[@]}" test >"$tmp/test.log" 2>&1 || status=$?
test_time=$((SECONDS - start))
grep -E "^==> |done in|set up in" "$tmp/test.log" || true
summary=$(tail -1 "$tmp/test.log")
echo "   last line: $summary"
if [ "$status" != 0 ] || ! [[ $summary =~ ^=+\ .*(passed|failed).*\ in\ .*=+$ ]]; then
    tail -40 "$tmp/test.log"
    echo "FAILED: make test exited $status after $test_time s (KEEP=1 keeps the log)" >&2
    KEEP=1
    exit 1
fi

echo "== make demo (log: $tmp/demo.log)"
start=$SECONDS
setsid make "${make_args[@]}" demo >"$tmp/demo.log" 2>&1 &
demo_pid=$!
url="http://127.0.0.1:$http_port/web/login?db=cwa_setup_demo"
until curl -sf -o "$tmp/login.html" "$url"; do
    if ! kill -0 "$demo_pid" 2>/dev/null || [ $((SECONDS - start)) -gt 1200 ]; then
        tail -40 "$tmp/demo.log"
        echo "FAILED: make demo did not serve $url" >&2
        KEEP=1
        exit 1
    fi
    sleep 2
done
demo_time=$((SECONDS - start))
# log in as the README says (admin / admin): Odoo answers with a redirect to /odoo
jar=$tmp/cookies
csrf=$(curl -sf -b "$jar" -c "$jar" "$url" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)
location=$(curl -s -b "$jar" -c "$jar" -o /dev/null -w '%{redirect_url}' \
    --data-urlencode "csrf_token=$csrf" --data-urlencode login=admin --data-urlencode password=admin \
    "http://127.0.0.1:$http_port/web/login")
if [[ $location != */odoo* ]]; then
    echo "FAILED: logging in as admin / admin at $url redirected to '$location'" >&2
    exit 1
fi
echo "   $url serves the login page; admin / admin logs in (redirect to $location)"

echo "== Times (this machine is shared: noisy)"
echo "   make test, from the fresh state (with the setup): $test_time s"
echo "   make demo, until its login page answers:          $demo_time s"
echo "OK"
