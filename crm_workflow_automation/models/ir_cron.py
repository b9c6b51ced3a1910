# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class IrCron(models.Model):
    _inherit = "ir.cron"

    crm_workflow_runner = fields.Integer(
        string="Workflow job runner",
        default=0,
        copy=False,
        readonly=True,
        help="The number of this workflow job runner (0: not a runner). "
        "Settings › Parallel runners keeps that many active.",
    )

    def _reschedule_later(self, job):
        res = super()._reschedule_later(job)
        self.env["crm.workflow.job"]._after_runner_run(job["id"])
        return res
