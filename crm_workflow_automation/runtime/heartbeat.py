# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A running batch's sign of life, from a thread of its own: a batch slower
than the job timeout is not taken for a dead one."""

import logging
import os
import socket
import threading

from odoo import api
from odoo.fields import Datetime
from odoo.modules.registry import Registry

_logger = logging.getLogger(__name__)


def worker_id():
    """Host, process and thread of this runner (computed per call: prefork
    workers are forked after the import)."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"


class Heartbeat:
    """While a claimed batch runs, a thread tells that its worker is alive
    (a row of ``crm_workflow_worker_heartbeat``) every third of the timeout,
    from its own cursor, and moves the stale-claim wake-up with it: a slow
    batch is never taken for a dead one, and a short timeout is safe. A dead
    worker's thread dies with it."""

    def __init__(self, env, ids):
        self.dbname = env.cr.dbname
        self.worker = worker_id()  # the batch's thread, as in claimed_by
        self.interval = max(env["crm.workflow.job"]._job_timeout() / 3, 1)
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=self._loop, name="crm_workflow_heartbeat", daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    def _loop(self):
        while not self.stop.wait(self.interval):
            try:
                self.beat()
            except Exception:  # a missed beat is retried next time
                _logger.warning("workflow job heartbeat failed", exc_info=True)

    def beat(self):
        with Registry(self.dbname).cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            now = Datetime.now()
            cr.execute(
                """INSERT INTO crm_workflow_worker_heartbeat (worker, seen_at)
                   VALUES (%s, %s)
                   ON CONFLICT (worker) DO UPDATE SET seen_at = EXCLUDED.seen_at""",
                [self.worker, now],
            )
            env["crm.workflow.job"]._wake_when_stale(now)
