#!/usr/bin/env python3
"""The incoming webhook trigger under load (issue 11), beside a bare Odoo
JSON route on the same server.

A script, not a test: ``python3 bench/trigger_http.py [--port 8572]``.
It prepares the benchmark database (bench/robots.py's, or a fresh one), two
webhook triggers on two stages (each allowing the backward move, no rate
limit) and 200 leads, starts Odoo with 2 HTTP workers, and runs ``wrk`` at 20
connections against ``POST /crm_workflow/trigger/<token>`` (each call names
a random lead and a random one of the two triggers: half the calls move the
lead, half find it already there) and against Odoo's own ``/web/health``
(JSON, no database: the limit), and against a bare public JSON route of
bench/addons/crm_workflow_bench_http that does the least a database-backed
route must (a cursor, one query on the named lead, JSON out). Prints
requests/s and p99 of each and both ratios (targets: >= 0.7x, p99 < 250 ms).

The same load then runs against two triggers that answer before moving
(``webhook_queued``: 202 once the call is checked, the move made by the job
runner): the server has one cron worker for that, and the script waits until
the queue is empty and prints how long that took after the load stopped, and
the moves per second from the first call to the last move.

Two more measures say where the queued route's time goes: a third bare route
that keeps the call before answering (the lead read, one row inserted and
committed: the least a call answered 202 costs), and the queued route with
the job runners paused during the load (the calls alone, their moves made
afterwards: what the moves' own work takes from the two workers on a
2-core machine).
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchlib
from benchlib import ROOT, log

BENCH_ADDONS = os.path.join(ROOT, "bench", "addons")

LUA = """
local paths = {%(paths)s}
local first, last = %(first)d, %(last)d
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local id = math.random(first, last)
  return wrk.format(nil, paths[math.random(1, #paths)], nil, '{"id": ' .. id .. '}')
end
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="cwa_robots_bench")
    parser.add_argument("--port", type=int, default=8572)
    parser.add_argument("--duration", default="20s")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="reuse the database")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run the routes in turn this many times; print medians",
    )
    return parser.parse_args(argv)


def prepare(db):
    registry = benchlib.load_registry(db)
    with registry.cursor() as cr:
        env = benchlib.superuser_env(cr)
        fx = benchlib.BenchData(env, 200)
        Trigger = env["crm.workflow.trigger"].with_context(active_test=False)
        Trigger.search([("name", "=like", "Bench hook %")]).unlink()
        tokens = {False: [], True: []}
        for queued in (False, True):
            for i, stage in enumerate((fx.stage_a, fx.stage_b)):
                trigger = Trigger.create(
                    {
                        "name": f"Bench hook {i}{' queued' if queued else ''}",
                        "stage_id": stage,
                        "trigger_type": "webhook",
                        "allow_backward": True,
                        "webhook_rate_limit": 0,
                        "webhook_queued": queued,
                    }
                )
                tokens[queued].append(trigger.webhook_token)
        # the table of the bare route that keeps the call (bench/addons)
        cr.execute(
            """CREATE TABLE IF NOT EXISTS crm_workflow_bench_call
                   (id serial PRIMARY KEY, lead_id int4, body text,
                    create_date timestamp DEFAULT (now() at time zone 'UTC'))"""
        )
        cr.execute("TRUNCATE crm_workflow_bench_call")
        cr.commit()
        return tokens, min(fx.lead_ids), max(fx.lead_ids)


def install_bench_addon(db):
    """The bare database route's add-on, for the second baseline."""
    if benchlib.module_installed(db, "crm_workflow_bench_http"):
        return
    log("installing crm_workflow_bench_http")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo",
            "-d",
            db,
            f"--addons-path={benchlib.addons_path()},{BENCH_ADDONS}",
            "-i",
            "crm_workflow_bench_http",
            "--stop-after-init",
            "--log-level=warn",
        ],
        check=True,
        stdout=sys.stderr,
    )


def wrk(url, connections, duration, script=None):
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}", "--latency"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    factor = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, float(p99.group(1)) * factor, int(non2xx.group(1)) if non2xx else 0


def main(argv=None):
    args = parse_args(argv)
    benchlib.ensure_pg()
    benchlib.create_db(args.db, keep=args.keep)
    install_bench_addon(args.db)
    tokens, first, last = prepare(args.db)
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "odoo",
            "-d",
            args.db,
            f"--addons-path={benchlib.addons_path()},{BENCH_ADDONS}",
            f"--http-port={args.port}",
            f"--gevent-port={args.port + 1}",
            "--workers=2",
            "--max-cron-threads=1",  # the job runner of the queued trigger
            "--log-level=warn",
            f"--db-filter=^{args.db}$",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for __ in range(120):
            try:
                if requests.get(f"{base}/web/health", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(1)
        answer = requests.post(
            f"{base}/crm_workflow/trigger/{tokens[False][1]}",
            json={"id": first},
            timeout=10,
        )
        log(f"warm-up call: {answer.status_code} {answer.text}")

        def lua_script(paths):
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
                f.write(
                    LUA
                    % {
                        "paths": ", ".join(f'"{p}"' for p in paths),
                        "first": first,
                        "last": last,
                    }
                )
            return f.name

        hook = lua_script([f"/crm_workflow/trigger/{t}" for t in tokens[False]])
        queued = lua_script([f"/crm_workflow/trigger/{t}" for t in tokens[True]])
        bare_db = lua_script(["/crm_workflow_bench/db"])
        bare_write = lua_script(["/crm_workflow_bench/db_write"])
        samples, queues = {}, []
        routes = (
            ("bare /web/health", f"{base}/web/health", None),
            ("bare db JSON", base, bare_db),
            ("bare db write", base, bare_write),
            ("webhook trigger", base, hook),
            ("webhook, queued", base, queued),
            (PAUSED, base, queued),
        )
        for round_ in range(args.rounds):
            for name, url, script in routes:
                wrk(url, args.connections, "3s", script)  # warm the workers
                drain(args.db)
                log(f"round {round_ + 1}: wrk {name}")
                if name == PAUSED:
                    runners(args.db, active=False)
                before = queue_mark(args.db)
                started = time.monotonic()
                result = wrk(url, args.connections, args.duration, script)
                samples.setdefault(name, []).append(result)
                stopped = time.monotonic()
                if name == PAUSED:
                    runners(args.db, active=True)
                    drain(args.db)
                elif script is queued:
                    drain(args.db)
                    drained = time.monotonic()
                    moves = queue_mark(args.db)[1] - before[1]
                    queues.append(
                        (drained - stopped, moves / (drained - started), moves)
                    )
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"wrk, {args.connections} connections, {args.duration}, 2 Odoo workers, "
        f"1 cron worker; median of {args.rounds} round(s), the routes in turn"
    )
    results = {
        name: tuple(statistics.median(r[i] for r in rows) for i in range(3))
        for name, rows in samples.items()
    }
    queue = tuple(statistics.median(q[i] for q in queues) for i in range(3))
    for name, (rps, p99, bad) in results.items():
        print(f"  {name:18} {rps:8.1f} req/s  p99 {p99:7.1f} ms  non-2xx {bad}")
    ours = results["webhook trigger"]
    for name in ("bare /web/health", "bare db JSON"):
        print(f"  webhook / {name} = {ours[0] / results[name][0]:.2f}x (target >= 0.7)")
    print(f"  webhook p99 {ours[1]:.0f} ms (target < 250)")
    ours = results["webhook, queued"]
    for name in ("bare /web/health", "bare db JSON"):
        print(
            f"  queued webhook / {name} = {ours[0] / results[name][0]:.2f}x"
            " (target >= 0.7)"
        )
    print(f"  queued webhook p99 {ours[1]:.0f} ms (target < 250)")
    write = results["bare db write"]
    paused = results[PAUSED]
    print(
        f"  bare db write / bare db JSON = {write[0] / results['bare db JSON'][0]:.2f}x"
        f"; queued webhook / bare db write = {ours[0] / write[0]:.2f}x"
    )
    print(
        f"  queued webhook, runners paused / bare db JSON = "
        f"{paused[0] / results['bare db JSON'][0]:.2f}x, p99 {paused[1]:.0f} ms"
        " (the calls without their moves)"
    )
    print(
        f"  queue: {queue[2]:.0f} calls run, empty {queue[0]:.1f} s after the load "
        f"stopped; {queue[1]:.1f} calls/s from the first call to the last move"
    )


PAUSED = "queued, runners off"


def runners(db, active):
    """Pause or resume the job runner crons (and wake them on resume)."""
    psql(
        db,
        "UPDATE ir_cron SET active = %s WHERE id IN (SELECT res_id FROM ir_model_data"
        " WHERE module = 'crm_workflow_automation' AND model = 'ir.cron'"
        " AND name LIKE 'ir_cron_run_due_jobs%%')" % ("true" if active else "false"),
    )
    if active:
        psql(db, f"NOTIFY cron_trigger, '{db}'")


def queue_mark(db):
    """(open, finished) queued webhook calls."""
    rows = psql(
        db,
        "SELECT count(*) FILTER (WHERE state IN ('pending', 'failed', 'running')),"
        " count(*) FILTER (WHERE state IN ('done', 'dead', 'cancelled'))"
        " FROM crm_workflow_job WHERE job_type = 'trigger'",
    )
    return tuple(int(v) for v in rows.split("|"))


def psql(db, query):
    return subprocess.run(
        ["psql", "-d", db, "-Atc", query], capture_output=True, text=True, check=True
    ).stdout.strip()


def drain(db, timeout=600):
    """Wait until the job runner has run every queued webhook call."""
    deadline = time.monotonic() + timeout
    while queue_mark(db)[0] and time.monotonic() < deadline:
        time.sleep(0.1)


if __name__ == "__main__":
    main()
