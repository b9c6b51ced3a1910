#!/usr/bin/env python3
"""Requests per second of a function called over HTTP (issue 12) against a
bare authenticated JSON route, on the same Odoo server with ``--workers=2``.

    python3 bench/function_http.py [--port 8372] [--requests 500] [--rounds 5]

It creates the database ``cwa_func_bench`` (``--db``; ``--keep`` reuses it)
with the add-on and ``bench/addons/crm_workflow_bench_http`` (the bare route,
not part of the add-on), an API key for a Workflow Manager and a trivial
function (``result = args['n']``), starts Odoo in prefork mode on ``--port``,
and runs Apache Bench (``ab``) against both URLs in alternating rounds. Both
routes check the same API key (PBKDF2, the bulk of either request). Prints
the median requests/s of each and the ratio (target: at least 0.7). The
machine is shared with other work: the figures are noisy, the ratio of
rounds run side by side means more than the absolute numbers.
"""

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from benchlib import (
    ROOT,
    addon_version,
    addons_path,
    ensure_pg,
    load_registry,
    log,
    module_installed,
)

BENCH_ADDONS = os.path.join(ROOT, "bench", "addons")
MODULES = "crm_workflow_automation,crm_workflow_bench_http"


def create_db(db, keep):
    if keep:
        if module_installed(db, "crm_workflow_bench_http"):
            log(f"reusing the database {db}")
            return
    log(f"creating the database {db} ({MODULES})")
    result = subprocess.run(
        [
            os.path.join(ROOT, "tools", "create_db.sh"),
            db,
            "--without-demo=all",
            f"--addons-path={addons_path()},{BENCH_ADDONS}",
        ],
        env=dict(os.environ, MODULES=MODULES, PYTHON=sys.executable),
        stdout=sys.stderr,
    )
    if result.returncode:
        sys.exit(f"creating the database {db} failed")


def configure(db):
    """Odoo's configuration with the bench's add-on in the addons path."""
    import benchlib

    import odoo

    odoo.tools.config.parse_config(
        [
            "-d",
            db,
            f"--addons-path={addons_path()},{BENCH_ADDONS}",
            "--log-level=warn",
            "--no-http",
            "--max-cron-threads=0",
        ]
    )
    benchlib._configured = True


def prepare(db):
    """An API key of a Workflow Manager and the trivial function."""
    import odoo

    configure(db)
    registry = load_registry(db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        user = env["res.users"].search([("login", "=", "bench_manager")])
        if not user:
            user = env["res.users"].create(
                {
                    "name": "Bench Manager",
                    "login": "bench_manager",
                    "groups_id": [
                        (6, 0, [env.ref("sales_team.group_sale_manager").id])
                    ],
                }
            )
        env["res.users.apikeys"].search([("user_id", "=", user.id)]).sudo().unlink()
        key = (
            env["res.users.apikeys"]
            .with_user(user)
            .sudo()
            ._generate(None, "bench", None)
        )
        Function = env["crm.workflow.function"].with_context(active_test=False)
        if not Function.search([("api_name", "=", "bench_echo")]):
            Function.create(
                {
                    "name": "Bench echo",
                    "api_name": "bench_echo",
                    "code": "result = args['n']",
                    "argument_ids": [(0, 0, {"name": "n", "arg_type": "integer"})],
                }
            )
        cr.commit()
    return key


def start_server(db, port):
    import odoo

    # odoo-bin, not "-m odoo": the prefork server spawns its gevent process
    # with sys.argv[0]
    root = os.path.dirname(os.path.dirname(odoo.__file__))
    command = [
        sys.executable,
        os.path.join(root, "odoo-bin"),
        "-d",
        db,
        f"--db-filter=^{db}$",
        f"--addons-path={addons_path()},{BENCH_ADDONS}",
        "--workers=2",
        f"--http-port={port}",
        f"--gevent-port={port + 1}",
        "--max-cron-threads=0",
        "--log-level=warn",
        "--limit-time-real=600",
    ]
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/web/health", timeout=2)
        sys.exit(f"port {port} is already serving: stop that server or use --port")
    except OSError:
        pass
    server = subprocess.Popen(
        command, stdout=sys.stderr, stderr=sys.stderr, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}/web/health"
    for __ in range(120):
        try:
            urllib.request.urlopen(url, timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    sys.exit("the Odoo server did not start")


def ab(url, key, body_file, requests, concurrency):
    done = subprocess.run(
        [
            "ab",
            "-q",
            "-n",
            str(requests),
            "-c",
            str(concurrency),
            "-p",
            body_file,
            "-T",
            "application/json",
            "-H",
            f"Authorization: Bearer {key}",
            url,
        ],
        capture_output=True,
        text=True,
    )
    out = done.stdout
    rps = float(re.search(r"Requests per second:\s+([\d.]+)", out)[1])
    failed = int(re.search(r"Failed requests:\s+(\d+)", out)[1])
    non2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
    if failed or non2xx:
        sys.exit(f"errors in the run of {url}:\n{out}")
    return rps


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="cwa_func_bench")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--port", type=int, default=8372)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    ensure_pg()
    create_db(options.db, options.keep)
    key = prepare(options.db)
    server = start_server(options.db, options.port)
    base = f"http://127.0.0.1:{options.port}"
    urls = {
        "bare route": f"{base}/crm_workflow_bench/bare",
        "function": f"{base}/crm_workflow/function/bench_echo",
    }
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as body:
            json.dump({"n": 7}, body)
        for name, url in urls.items():  # the answers are right, and warm up
            request = urllib.request.Request(
                url,
                data=b'{"n": 7}',
                method="POST",
                headers={
                    "Authorization": f"Bearer {key}",
                    "Content-Type": "application/json",
                },
            )
            answer = json.load(urllib.request.urlopen(request, timeout=30))
            assert answer == {"result": 7}, (name, answer)
            ab(url, key, body.name, 200, options.concurrency)
        results = {name: [] for name in urls}
        for round_ in range(options.rounds):
            order = list(urls) if round_ % 2 == 0 else list(urls)[::-1]
            for name in order:
                rps = ab(
                    urls[name], key, body.name, options.requests, options.concurrency
                )
                results[name].append(rps)
                log(f"round {round_ + 1}: {name} {rps:.1f} requests/s")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    print(f"crm_workflow_automation {addon_version()}: function over HTTP")
    print(
        f"Odoo --workers=2, ab -c {options.concurrency} -n {options.requests}, "
        f"{options.rounds} alternating rounds; shared, noisy machine"
    )
    medians = {name: statistics.median(values) for name, values in results.items()}
    for name, values in results.items():
        runs = ", ".join(f"{v:.0f}" for v in values)
        print(f"  {name:11} median {medians[name]:7.1f} requests/s  ({runs})")
    ratio = medians["function"] / medians["bare route"]
    print(f"  ratio function / bare route: {ratio:.2f} (target >= 0.70)")


if __name__ == "__main__":
    main()
