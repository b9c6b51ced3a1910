#!/usr/bin/env bash
# Usage: MAKE=make tools/test_parallel.sh PYTEST_DB
# The two test runs of `make test`, side by side on two databases: Odoo's own
# runner (`make test-odoo`, on TEST_DB) and pytest (`make pytest
# TEST_DB=PYTEST_DB`, on the copy tools/copy_db.sh made). Each writes to a
# log; Odoo's runner's lines are printed when it ends, then pytest's whole
# output when pytest ends too, so that pytest's summary stays the last line.
# Both run to the end; the exit status is non-zero if either failed.
# Ctrl-C, SIGTERM or SIGHUP stop both with whatever they started (each runs
# in a process group of its own, which also catches a browser a tour left
# behind).
set -uo pipefail
make=${MAKE:-make}
pytest_db=$1
odoo_log=$(mktemp /tmp/cwa-test-odoo-run-XXXX.log)
pytest_log=$(mktemp /tmp/cwa-pytest-XXXX.log)
groups=()

# whether a process of either group still runs (a zombie does not count:
# the shell does not reap its children while it runs a trap)
alive() {
    ps -eo pgid=,stat= | awk -v groups="${groups[*]}" '
        BEGIN { n = split(groups, g, " "); for (i = 1; i <= n; i++) mine[g[i]] = 1 }
        ($1 in mine) && $2 !~ /^Z/ { found = 1 }
        END { exit !found }'
}

signal_groups() {
    local pgid
    for pgid in "${groups[@]}"; do
        kill "-$1" -- "-$pgid" 2>/dev/null
    done
}

stop() {
    trap '' INT TERM HUP
    echo "make test: SIG$1, stopping Odoo's runner and pytest (logs: $odoo_log, $pytest_log)" >&2
    # time for their own clean-up (pytest's fixtures stop the servers they
    # started), then less gently: what ignores SIGINT gets SIGTERM, then KILL
    local sig grace
    for sig in "$1:20" TERM:10 KILL:0; do
        grace=${sig#*:}
        signal_groups "${sig%:*}"
        while [ "$grace" -gt 0 ] && alive; do
            sleep 1
            grace=$((grace - 1))
        done
        alive || break
    done
    case $1 in INT) exit 130 ;; HUP) exit 129 ;; *) exit 143 ;; esac
}
trap 'stop INT' INT
trap 'stop TERM' TERM
trap 'stop HUP' HUP

echo "Odoo's runner (make test-odoo) and pytest (make pytest TEST_DB=$pytest_db) run side by side;"
echo "logs: $odoo_log, $pytest_log"
# job control while they start: each gets a process group of its own (and
# keeps Ctrl-C's default, which a background job without it ignores)
set -m
"$make" --no-print-directory test-odoo >"$odoo_log" 2>&1 </dev/null &
odoo_pid=$!
groups+=("$odoo_pid")
"$make" --no-print-directory pytest TEST_DB="$pytest_db" >"$pytest_log" 2>&1 </dev/null &
pytest_pid=$!
groups+=("$pytest_pid")
set +m

started=$SECONDS
wait "$odoo_pid"
odoo_rc=$?
cat "$odoo_log"
if [ "$odoo_rc" != 0 ]; then
    echo "FAILED: Odoo's runner (make test-odoo) exited $odoo_rc"
fi
echo "Odoo's runner ended after $((SECONDS - started)) s; pytest's output follows when it ends."
wait "$pytest_pid"
pytest_rc=$?
# what a run left behind in its process group (a browser, a server)
signal_groups TERM
cat "$pytest_log"
if [ "$odoo_rc" != 0 ]; then
    exit "$odoo_rc"
fi
exit "$pytest_rc"
