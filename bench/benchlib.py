"""Helpers shared by the benchmarks of bench/ (not a test module).

The benchmarks run Odoo in-process: ``load_registry`` parses Odoo's
configuration and opens the registry of one database; ``timed_run`` times one
operation in a transaction that is rolled back afterwards.
"""

import contextlib
import ctypes
import gc
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DB = "crm_workflow_bench"
MODULES = "crm,base_automation,crm_workflow_automation"

_T0 = time.monotonic()


def log(message):
    """Progress on stderr (the results go to stdout)."""
    elapsed = time.monotonic() - _T0
    print(f"[{elapsed:7.1f}s] {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------
# database and registry
# ----------------------------------------------------------------------


def addons_path():
    return subprocess.run(
        [os.path.join(ROOT, "tools", "addons_path.sh")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def addon_version():
    """The repository's commit, with ``+changes`` when the add-on has
    uncommitted changes (the numbers belong to that code)."""
    git = ["git", "-C", ROOT]
    head = subprocess.run(
        git + ["rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        git + ["status", "--porcelain", "--", "crm_workflow_automation"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return (head or "unknown") + ("+changes" if dirty else "")


def ensure_pg():
    subprocess.run([os.path.join(ROOT, "tools", "ensure_pg.sh")], check=True)


def db_has_modules(db):
    """True when ``db`` exists and has the benchmark's modules installed."""
    query = (
        "SELECT count(*) FROM ir_module_module WHERE state = 'installed' "
        "AND name IN ('crm', 'base_automation', 'crm_workflow_automation')"
    )
    result = subprocess.run(
        ["psql", "-d", db, "-Atc", query], capture_output=True, text=True
    )
    return result.returncode == 0 and result.stdout.strip() == "3"


def module_installed(db, name):
    """True when ``db`` exists and has the module ``name`` installed."""
    result = subprocess.run(
        [
            "psql",
            "-d",
            db,
            "-Atc",
            f"SELECT 1 FROM ir_module_module WHERE name = '{name}' "
            "AND state = 'installed'",
        ],
        capture_output=True,
        text=True,
    )
    return result.stdout.strip() == "1"


def create_db(db, keep=False):
    """A fresh database with crm, base_automation and crm_workflow_automation
    (no demo data); with ``keep``, an existing one is reused."""
    if keep and db_has_modules(db):
        log(f"reusing the database {db}")
        return
    log(f"creating the database {db} ({MODULES}, no demo data)")
    # the project's own fresh-database script, which also fails on an ERROR
    # (or a warning of the add-on) in the install log; its output is progress
    result = subprocess.run(
        [os.path.join(ROOT, "tools", "create_db.sh"), db, "--without-demo=all"],
        env=dict(os.environ, MODULES=MODULES, PYTHON=sys.executable),
        stdout=sys.stderr,
    )
    if result.returncode:
        sys.exit(f"creating the database {db} failed")
    log("database ready")


_configured = False


def load_registry(db, log_level="warn"):
    """Parse Odoo's configuration (once per process) and return the registry
    of ``db``."""
    global _configured
    import odoo
    from odoo.modules.registry import Registry

    if not _configured:
        odoo.tools.config.parse_config(
            [
                "-d",
                db,
                f"--addons-path={addons_path()}",
                f"--log-level={log_level}",
                "--no-http",
                "--max-cron-threads=0",
            ]
        )
        _configured = True
    return Registry(db)


def superuser_env(cr):
    from odoo import SUPERUSER_ID, api

    return api.Environment(cr, SUPERUSER_ID, {})


# ----------------------------------------------------------------------
# data
# ----------------------------------------------------------------------

LEAD_PREFIX = "Bench lead "


class BenchData:
    """The records the benchmarks share, found or created (and committed):
    two stages, a salesperson and a user to notify (both notified in their
    Odoo inbox, so that nothing is emailed), and N leads, each followed by
    its salesperson."""

    def __init__(self, env, n):
        from odoo import Command

        self.Command = Command
        env = env(
            context=dict(env.context, tracking_disable=True, mail_create_nolog=True)
        )
        stages = env["crm.stage"].search([("team_id", "=", False)], order="sequence")
        self.stage_a, self.stage_b = stages[0].id, stages[1].id
        self.lead_model_id = env["ir.model"]._get_id("crm.lead")
        Users = env["res.users"].with_context(no_reset_password=True)
        self.salesperson = self._user(Users, "bench_sales", "Bench Salesperson")
        self.notified = self._user(Users, "bench_notified", "Bench Notified")
        self.admin = env.ref("base.user_admin")
        self.fields = {}
        self.lead_ids = self._leads(env, n)
        env.cr.commit()

    def _user(self, Users, login, name):
        user = Users.search([("login", "=", login)], limit=1)
        if not user:
            group = Users.env.ref("sales_team.group_sale_salesman")
            user = Users.create(
                {
                    "login": login,
                    "name": name,
                    "email": f"{login}@example.com",
                    "notification_type": "inbox",
                    "groups_id": [self.Command.link(group.id)],
                }
            )
        return user

    def lead_vals(self, prefix, i):
        """Values of the i-th lead (deterministic)."""
        return {
            "name": f"{prefix}{i:06d}",
            "type": "opportunity",
            "stage_id": self.stage_a,
            "user_id": self.salesperson.id,
            "expected_revenue": (i * 37) % 100_000,
            "contact_name": f"Contact {i}",
            "email_from": f"contact{i}@example.com",
        }

    def _leads(self, env, n):
        Lead = env["crm.lead"].with_context(active_test=False)
        domain = [("name", "=like", LEAD_PREFIX + "%")]
        ids = Lead.search(domain, order="id").ids
        if len(ids) < n:
            log(f"creating {n - len(ids)} bench leads")
            for start in range(len(ids), n, 1000):
                stop = min(n, start + 1000)
                Lead.create(
                    [self.lead_vals(LEAD_PREFIX, i) for i in range(start, stop)]
                )
                env.cr.commit()
                log(f"  {stop}/{n} leads")
            ids = Lead.search(domain, order="id").ids
        ids = ids[:n]
        # As leads created in the user interface, each one is followed by its
        # salesperson (the creation above skips mail for speed): tracking
        # messages then notify someone, as they do in real databases.
        env["mail.followers"]._insert_followers(
            "crm.lead",
            ids,
            self.salesperson.partner_id.ids,
            check_existing=True,
            existing_policy="skip",
        )
        return ids

    def field(self, env, name):
        if name not in self.fields:
            self.fields[name] = env["ir.model.fields"]._get("crm.lead", name)
        return self.fields[name]


# ----------------------------------------------------------------------
# memory
# ----------------------------------------------------------------------

_libc = None


def _trim():
    """Give freed memory back to the OS, so that RSS growth is comparable
    between runs."""
    global _libc
    gc.collect()
    try:
        if _libc is None:
            _libc = ctypes.CDLL("libc.so.6")
        _libc.malloc_trim(0)
    except OSError:
        pass


def _status_kb(key):
    with open("/proc/self/status") as status:
        match = re.search(rf"^{key}:\s+(\d+) kB", status.read(), re.M)
    return int(match.group(1)) * 1024 if match else 0


def rss():
    return _status_kb("VmRSS")


def reset_peak():
    """Reset the process' peak RSS (VmHWM), Linux >= 4.0."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
        return True
    except OSError:
        return False


def peak_rss():
    return _status_kb("VmHWM")


# ----------------------------------------------------------------------
# timing
# ----------------------------------------------------------------------


PROCESS_PEAK = 0  # the highest peak RSS seen by timed_run in this process


# Which time is the headline of a run: "flush" (the operation and
# env.flush_all(), as the issue's own measurements were taken) or "commit"
# (also the pre-commit hooks that COMMIT runs: mail tracking).
HEADLINE = "flush"


class Sample:
    __slots__ = (
        "committed",
        "envs",
        "flushed",
        "growth",
        "peak",
        "queries",
        "seconds",
    )

    def __init__(self, seconds, queries, growth, peak, envs, flushed=None):
        self.committed = seconds
        self.flushed = seconds if flushed is None else flushed
        self.seconds = self.committed if HEADLINE == "commit" else self.flushed
        self.queries = queries
        self.growth = growth
        self.peak = peak
        self.envs = envs


def timed_run(cr, make_env, prepare, run, check=None, precommit=True):
    """One measured run: ``prepare(env)`` (not timed), then ``run(env, data)``,
    ``env.flush_all()`` and (``precommit``) the cursor's pre-commit hooks
    timed, ``check(env, data, result)`` (not timed, raises when the engine
    under test did not do its work), then rollback."""
    cr.rollback()
    env = make_env(cr)
    data = prepare(env)
    _trim()
    reset_peak()
    before = rss()
    q0 = cr.sql_log_count
    t0 = time.perf_counter()
    result = run(env, data)
    env.flush_all()
    flushed = time.perf_counter() - t0
    if precommit:
        # what COMMIT would do before committing: the pre-commit hooks (mail
        # tracking messages of the changed fields, ...), then flush again
        cr.flush()
        env.flush_all()
    seconds = time.perf_counter() - t0
    queries = cr.sql_log_count - q0
    peak = peak_rss()
    global PROCESS_PEAK
    PROCESS_PEAK = max(PROCESS_PEAK, peak)
    envs = len(env.transaction.envs)
    try:
        if check is not None:
            check(env, data, result)
    finally:
        del result, data
        cr.rollback()
    return Sample(seconds, queries, peak - before, peak, envs, flushed)


class Stats:
    """Medians of several samples."""

    def __init__(self, samples, n):
        self.samples = samples
        self.n = n
        self.seconds = statistics.median(s.seconds for s in samples)
        self.flushed = statistics.median(s.flushed for s in samples)
        self.committed = statistics.median(s.committed for s in samples)
        self.queries = int(statistics.median(s.queries for s in samples))
        self.growth = statistics.median(s.growth for s in samples)
        self.peak = max(s.peak for s in samples)
        self.envs = max(s.envs for s in samples)

    @property
    def per_record(self):
        return self.seconds / max(self.n, 1)


def mb(value):
    return f"{value / 2**20:.0f} MB"


@contextlib.contextmanager
def capture_queries(cr):
    """Record the (query, params) that ``cr`` executes inside the block."""
    queries = []
    original = cr.execute

    def execute(query, params=None, log_exceptions=True):
        queries.append((query, params))
        return original(query, params, log_exceptions)

    cr.execute = execute
    try:
        yield queries
    finally:
        del cr.execute
