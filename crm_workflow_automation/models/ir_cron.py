# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import functools

from odoo import models

from .crm_workflow_job import wake_if_due
from .res_config_settings import RUNNER_CODE


class IrCron(models.Model):
    _inherit = "ir.cron"

    def _reschedule_later(self, job):
        """The main runner's due triggers are deleted here: after the commit,
        one look at the queue wakes it again for a job its run did not see."""
        res = super()._reschedule_later(job)
        if job["id"] == self.env["crm.workflow.job"]._main_runner_id():
            self.env.cr.postcommit.add(
                functools.partial(wake_if_due, self.env.cr.dbname)
            )
        return res

    def _crm_workflow_sync_runners(self, count):
        """Keep ``count`` runner crons active (one cron runs in one worker at a
        time, so parallel runners are separate crons claiming with SKIP LOCKED)."""
        main = self.env.ref("crm_workflow_automation.ir_cron_run_due_jobs")
        runners = self.with_context(active_test=False).search(
            [("code", "like", "model._cron_run_due_jobs(runner=")]
        )
        by_number = {}
        for cron in runners:
            for number in range(1, 100):
                if cron.code.strip() == RUNNER_CODE % number:
                    by_number[number] = cron
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
                    }
                )
            if not cron.active:
                cron.active = True
        for number, cron in by_number.items():
            if number > count and cron.active:
                cron.active = False
