# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Waking the runner crons: at a job's due time (``ir.cron._trigger``), after
a run for the next job, when a claim would go stale, and the other runners
when there is a backlog. Every wake-up of the queue is here; ir.cron's
override only calls ``_after_runner_run``."""

import functools
import logging
from datetime import timedelta

import psycopg2

from odoo import SUPERUSER_ID, api, models
from odoo.fields import Datetime
from odoo.modules.registry import Registry

_logger = logging.getLogger(__name__)

# the code of the runner crons (their number is ``ir.cron.crm_workflow_runner``)
RUNNER_CODE = "model._cron_run_due_jobs(runner=%d)"


def wake_if_due(dbname):
    """A post-commit callback: ``_wake_if_due`` in a transaction of its own,
    which sees what the commit and the other workers' commits wrote. The work
    is committed already: a failure here is logged, not raised (the hourly
    poll still runs the job)."""
    try:
        with Registry(dbname).cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["crm.workflow.job"]._wake_if_due()
    except Exception:
        _logger.warning("could not wake the workflow job runner", exc_info=True)


class CrmWorkflowJob(models.Model):
    _inherit = "crm.workflow.job"

    @api.model
    def _wake_runners(self, etas=None, lock=False):
        """Wake the main runner at the earliest of ``etas`` (now by default),
        with ``ir.cron._trigger``: a job due in 10 minutes runs within a minute
        of its time, not at the next poll. A trigger still to come is enough
        for a later job; a job due now gets one of its own, unless ``lock`` (a
        short transaction) counts on a due one under a key share lock. Why:
        readme/DEVELOP.md, "Jobs" (a run's end deletes the due triggers)."""
        cron_id = self._main_runner_id()
        if not cron_id:
            return
        now = Datetime.now()
        at = max(min(etas) if etas else now, now)
        query = (
            "SELECT 1 FROM ir_cron_trigger"
            " WHERE cron_id = %s AND call_at > %s AND call_at <= %s LIMIT 1"
        )
        if at > now:
            # a trigger still to come, at or before ``at``, survives any run's
            # delete; the run it starts then wakes itself for the next job due
            self.env.cr.execute(query, [cron_id, now, at])
            found = self.env.cr.fetchone()
        elif not lock:
            found = None
        else:
            try:
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(
                        query + " FOR KEY SHARE SKIP LOCKED",
                        [cron_id, now - timedelta(minutes=1), now],
                        log_exceptions=False,
                    )
                    found = self.env.cr.fetchone()
            except psycopg2.errors.SerializationFailure:
                found = None
        if not found:
            self.env["ir.cron"].sudo().browse(cron_id)._trigger(at=at)

    @api.model
    def _wake_if_due(self):
        """Wake the main runner when a job is due (after a run's end)."""
        cron_id = self._main_runner_id()
        if cron_id and self._anything_due():
            self.env["ir.cron"].sudo().browse(cron_id)._trigger()

    @api.model
    def _main_runner_id(self):
        return self.env["ir.model.data"]._xmlid_to_res_id(
            "crm_workflow_automation.ir_cron_run_due_jobs", raise_if_not_found=False
        )

    @api.model
    def _wake_when_stale(self, claimed_at):
        """Wake the main runner when a claim made at ``claimed_at`` would go
        stale: if its worker dies, nothing else would come back for its jobs
        before the hourly call."""
        cron_id = self._main_runner_id()
        if not cron_id:
            return
        at = claimed_at + timedelta(seconds=self._job_timeout() + 1)
        self.env.cr.execute(
            "SELECT 1 FROM ir_cron_trigger"
            " WHERE cron_id = %s AND call_at >= %s AND call_at <= %s LIMIT 1",
            [cron_id, at, at + timedelta(seconds=30)],
        )
        if not self.env.cr.fetchone():
            self.env["ir.cron"].sudo().browse(cron_id)._trigger(at=at)

    @api.model
    def _schedule_next_wakeup(self):
        """After a run, make sure the runner wakes for the next job due."""
        self.env.cr.execute(
            "SELECT min(eta) FROM crm_workflow_job WHERE state IN ('pending', 'failed')"
        )
        next_eta = self.env.cr.fetchone()[0]
        if next_eta:
            self._wake_runners([next_eta])

    @api.model
    def _runner_crons(self):
        """The runner crons, the main one (runner 1) first."""
        return (
            self.env["ir.cron"]
            .sudo()
            .with_context(active_test=False)
            .search([("crm_workflow_runner", ">", 0)], order="crm_workflow_runner, id")
        )

    @api.model
    def _wake_siblings(self, runner):
        """A backlog: wake the other runner crons, which claim with SKIP LOCKED."""
        for cron in self._runner_crons():
            if cron.active and cron.crm_workflow_runner != runner:
                cron._trigger()

    @api.model
    def _after_runner_run(self, cron_id):
        """A cron's run ended (``ir.cron._reschedule_later``). The main runner's
        due triggers are deleted there: after the commit, one look at the
        queue wakes it again for a job its run did not see."""
        if cron_id == self._main_runner_id():
            self.env.cr.postcommit.add(
                functools.partial(wake_if_due, self.env.cr.dbname)
            )

    @api.model
    def _sync_runner_crons(self, count):
        """Keep ``count`` runner crons active (one cron runs in one worker at a
        time, so parallel runners are separate crons claiming with SKIP LOCKED)."""
        main = self.env.ref("crm_workflow_automation.ir_cron_run_due_jobs")
        by_number = {cron.crm_workflow_runner: cron for cron in self._runner_crons()}
        for number in range(1, count + 1):
            cron = by_number.get(number)
            if cron is None:
                cron = main.copy(
                    {
                        "name": self.env._(
                            "Workflow Automation: run due jobs (runner %(number)s)",
                            number=number,
                        ),
                        "code": RUNNER_CODE % number,
                        "crm_workflow_runner": number,
                    }
                )
            if not cron.active:
                cron.active = True
        for number, cron in by_number.items():
            if number > count and cron.active:
                cron.active = False
