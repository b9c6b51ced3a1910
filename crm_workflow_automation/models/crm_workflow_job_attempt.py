# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CrmWorkflowJobAttempt(models.Model):
    """One delivery attempt of a job (a webhook request): what was sent,
    what came back, how long it took."""

    _name = "crm.workflow.job.attempt"
    _description = "Workflow Job Attempt"
    _order = "job_id, attempt_no desc, id desc"

    job_id = fields.Many2one(
        "crm.workflow.job", string="Job", required=True, ondelete="cascade", index=True
    )
    attempt_no = fields.Integer(string="Attempt")
    started_at = fields.Datetime(string="Sent on")
    request_url = fields.Char(string="URL")
    request_method = fields.Char(string="Method")
    status_code = fields.Integer(string="HTTP status")
    duration = fields.Float(string="Duration (s)", digits=(16, 3))
    response_excerpt = fields.Text(string="Response")
    error = fields.Text()
    company_id = fields.Many2one(related="job_id.company_id", store=True, index=True)
