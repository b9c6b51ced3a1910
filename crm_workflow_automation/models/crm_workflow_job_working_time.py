# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Due times in working time follow their working schedule: a holiday or a
new schedule entered after a job was queued moves the job. A daily check
(``_cron_recompute_working_etas``) is enough: working schedules change
rarely and a day ahead, and it costs one search when no delay counts in
working time."""

from datetime import timedelta

from odoo import api, models
from odoo.fields import Datetime

from ..runtime.working_time import WORKING_UNITS

# a due time that moved less than this is left as it is
TOLERANCE = timedelta(seconds=60)


class CrmWorkflowJob(models.Model):
    _inherit = "crm.workflow.job"

    @api.model
    def _cron_recompute_working_etas(self, now=None):
        """Recompute the due time of the pending jobs whose delay or offset
        counts in working time; returns the jobs that moved."""
        now = now or Datetime.now()
        Action = self.env["crm.workflow.action"].with_context(active_test=False)
        Rule = self.env["crm.workflow.rule"].with_context(active_test=False)
        working = ["|", ("working_hours_only", "=", True)]
        actions = Action.search(working + [("delay_unit", "in", WORKING_UNITS)])
        rules = Rule.search(working + [("date_offset_unit", "in", WORKING_UNITS)])
        if not (actions or rules):
            return self.browse()
        jobs = self.sudo().search(
            [
                ("state", "=", "pending"),
                ("eta", ">", now),
                "|",
                "&",
                ("job_type", "in", ("action", "robot")),
                ("action_id", "in", actions.ids),
                "&",
                ("job_type", "=", "rule"),
                ("rule_id", "in", rules.ids),
            ]
        )
        moved = self.browse()
        for job in jobs:
            eta = job._working_eta(now)
            if eta and abs(eta - job.eta) > TOLERANCE:
                job.eta = max(eta, now)
                moved |= job
        return moved

    def _working_eta(self, now):
        """The due time of this job as its delay or offset gives it now."""
        self.ensure_one()
        record = self.env[self.res_model].sudo().browse(self.res_id).exists()
        if not record:
            return None
        if self.job_type == "rule":
            # a rule's own job: its trigger type knows its moment
            hook = self.rule_id._trigger_hook("job_eta")
            return hook(self, record, now) if hook else None
        if not self.trigger_time:
            return None
        return self.action_id._compute_etas(record, self.trigger_time).get(record.id)
