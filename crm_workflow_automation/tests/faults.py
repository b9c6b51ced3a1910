# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Real processes for the fault tests: Odoo servers started with ``python3 -m
odoo`` on a copy of the test database, a throwaway PostgreSQL cluster that
may be restarted, and SQL to watch the queue from outside. Nothing here is a
mock: a killed server is a SIGKILLed process, a restart is ``pg_ctlcluster``.

Settings (environment variables):

- ``CWA_FAULTS_PORT``: first HTTP port of the servers (default 8470; each
  server takes ten ports from there, HTTP and gevent).
- ``CWA_FAULTS_PG_CLUSTER`` / ``CWA_FAULTS_PG_PORT`` / ``CWA_FAULTS_PG_VERSION``:
  the cluster the restart test uses (default ``cwa_faults``, 5441, the
  version of the running cluster). If it does not exist, the test creates it
  and drops it afterwards; an existing one is left in place.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from contextlib import contextmanager

import psycopg2

import odoo

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def addons_path():
    return subprocess.check_output(
        [os.path.join(REPO, "tools", "addons_path.sh")], text=True
    ).strip()


def connect(dbname, port=None):
    """A psycopg2 connection in autocommit, as Odoo's own configuration
    reaches the server (host, user, password), on ``port`` if given."""
    config = odoo.tools.config
    params = {"dbname": dbname}
    for key, name in (("db_host", "host"), ("db_user", "user")):
        if config.get(key):
            params[name] = config[key]
    if config.get("db_password"):
        params["password"] = config["db_password"]
    # none: libpq's default, as for Odoo (PGPORT: tools/check_fresh_setup.sh)
    if port or config.get("db_port"):
        params["port"] = port or config["db_port"]
    conn = psycopg2.connect(**params)
    conn.autocommit = True
    return conn


def query(dbname, sql, params=None, port=None):
    conn = connect(dbname, port)
    try:
        with conn.cursor() as cr:
            cr.execute(sql, params)
            return cr.fetchall() if cr.description else None
    finally:
        conn.close()


def _pg_env(port=None):
    env = dict(os.environ)
    config = odoo.tools.config
    if config.get("db_host"):
        env["PGHOST"] = config["db_host"]
    if config.get("db_user"):
        env["PGUSER"] = config["db_user"]
    if config.get("db_password"):
        env["PGPASSWORD"] = config["db_password"]
    if port or config.get("db_port"):
        env["PGPORT"] = str(port or config["db_port"])
    return env


def copy_database(source, target, target_port=None):
    """``target`` becomes a copy of ``source`` (main cluster), on the cluster
    at ``target_port``. pg_dump, not ``createdb -T``: the test session holds
    connections to the source."""
    subprocess.run(
        ["dropdb", "--if-exists", "--force", target],
        env=_pg_env(target_port),
        check=True,
    )
    subprocess.run(["createdb", target], env=_pg_env(target_port), check=True)
    dump = subprocess.Popen(
        ["pg_dump", "--no-owner", "--format=custom", source],
        env=_pg_env(),
        stdout=subprocess.PIPE,
    )
    restore = subprocess.run(
        ["pg_restore", "--no-owner", "--dbname", target],
        env=_pg_env(target_port),
        stdin=dump.stdout,
        capture_output=True,
        text=True,
    )
    dump.stdout.close()
    if dump.wait() != 0 or restore.returncode != 0:
        raise RuntimeError(f"copying {source} to {target} failed: {restore.stderr}")


def drop_database(dbname, port=None):
    subprocess.run(
        ["dropdb", "--if-exists", "--force", dbname], env=_pg_env(port), check=False
    )


def odoo_shell(dbname, code, db_port=None, timeout=600):
    """Run ``code`` in ``odoo shell`` on ``dbname`` (``env`` is there); it
    must commit. Returns its standard output."""
    cmd = [
        sys.executable,
        "-m",
        "odoo",
        "shell",
        "-d",
        dbname,
        f"--addons-path={addons_path()}",
        "--no-http",
        "--log-level=warn",
    ]
    if db_port:
        cmd.append(f"--db_port={db_port}")
    done = subprocess.run(
        cmd,
        input=textwrap.dedent(code),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )
    if done.returncode != 0 or "Traceback" in done.stdout + done.stderr:
        raise RuntimeError(
            f"odoo shell failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return done.stdout


class OdooServer:
    """``python3 -m odoo`` serving ``dbname`` with cron threads, its log in a
    file; ``kill()`` is SIGKILL, as the OOM killer or a power cut would."""

    def __init__(
        self, dbname, http_port, db_port=None, cron_threads=2, workers=0, tag="odoo"
    ):
        self.dbname = dbname
        self.http_port = http_port
        self.logfile = tempfile.NamedTemporaryFile(
            prefix=f"cwa-faults-{tag}-", suffix=".log", delete=False
        ).name
        self.cmd = [
            sys.executable,
            "-m",
            "odoo",
            "-d",
            dbname,
            f"--db-filter=^{dbname}$",
            f"--addons-path={addons_path()}",
            f"--http-port={http_port}",
            f"--gevent-port={http_port + 1}",
            "--http-interface=127.0.0.1",
            f"--max-cron-threads={cron_threads}",
            f"--logfile={self.logfile}",
            "--log-level=info",
        ]
        if db_port:
            self.cmd.append(f"--db_port={db_port}")
        if workers:
            self.cmd.append(f"--workers={workers}")
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            self.cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        return self

    @property
    def worker(self):
        """The ``claimed_by`` of its jobs, up to the thread (one process: the
        threaded server)."""
        return f"{os.uname().nodename}:{self.process.pid}"

    def wait_ready(self, timeout=180):
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.http_port}/web/health"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"the server did not start in {timeout} s")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self, lines=60):
        with open(self.logfile, errors="replace") as f:
            return "".join(f.readlines()[-lines:])

    def log_text(self):
        with open(self.logfile, errors="replace") as f:
            return f.read()


@contextmanager
def servers(*servers_):
    try:
        for server in servers_:
            server.start()
        for server in servers_:
            server.wait_ready()
        yield servers_
    finally:
        for server in servers_:
            server.stop()


def wake_runners(dbname, port=None):
    """``ir.cron._trigger()`` of every runner cron, from outside: a trigger due
    now, and the notification that wakes the cron threads at once."""
    query(
        dbname,
        """INSERT INTO ir_cron_trigger (cron_id, call_at)
           SELECT c.id, now() at time zone 'UTC' FROM ir_cron c
             JOIN ir_act_server a ON a.id = c.ir_actions_server_id
            WHERE c.active AND a.code LIKE %s""",
        ["model._cron_run_due_jobs(%"],
        port=port,
    )
    query("postgres", "SELECT pg_notify('cron_trigger', %s)", [dbname], port=port)


def base_port():
    return int(os.environ.get("CWA_FAULTS_PORT", "8470"))


# -- a throwaway PostgreSQL cluster ------------------------------------------


class Cluster:
    """A PostgreSQL cluster of its own (Debian's ``pg_createcluster``), so that
    the restart test never restarts the server other tests use."""

    def __init__(self):
        self.name = os.environ.get("CWA_FAULTS_PG_CLUSTER", "cwa_faults")
        self.port = int(os.environ.get("CWA_FAULTS_PG_PORT", "5441"))
        self.version = os.environ.get("CWA_FAULTS_PG_VERSION") or self._version()
        self.created = False

    @staticmethod
    def unavailable():
        """Why no throwaway cluster can be made here, or None."""
        for tool in ("pg_createcluster", "pg_ctlcluster", "pg_lsclusters"):
            if not shutil.which(tool):
                return f"{tool} is not installed (Debian's postgresql-common)"
        if os.geteuid() != 0:
            return "creating a PostgreSQL cluster needs root"
        return None

    @staticmethod
    def _version():
        out = subprocess.check_output(["pg_lsclusters", "-h"], text=True)
        versions = sorted({line.split()[0] for line in out.splitlines() if line})
        return versions[-1]

    def exists(self):
        out = subprocess.check_output(["pg_lsclusters", "-h"], text=True)
        return any(
            line.split()[:2] == [self.version, self.name] for line in out.splitlines()
        )

    def ensure(self):
        if not self.exists():
            subprocess.run(
                [
                    "pg_createcluster",
                    self.version,
                    self.name,
                    "--port",
                    str(self.port),
                    "--start",
                ],
                check=True,
                capture_output=True,
            )
            self.created = True
        else:
            self.ctl("start", check=False)
        user = odoo.tools.config.get("db_user") or os.environ.get("USER") or "root"
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                "psql",
                "-p",
                str(self.port),
                "-c",
                f"DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
                f"'{user}') THEN CREATE ROLE \"{user}\" SUPERUSER LOGIN; END IF; END$$",
            ],
            check=True,
            capture_output=True,
        )
        return self

    def ctl(self, command, check=True):
        return subprocess.run(
            [
                "pg_ctlcluster",
                "--skip-systemctl-redirect",
                self.version,
                self.name,
                command,
            ],
            check=check,
            capture_output=True,
        )

    def drop_if_created(self):
        if self.created:
            subprocess.run(
                ["pg_dropcluster", "--stop", self.version, self.name],
                check=False,
                capture_output=True,
            )
