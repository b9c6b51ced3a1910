# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CrmWorkflowActivityValue(models.Model):
    """The answer to one question of a "request information" task, filled
    by its assignee before marking it done."""

    _name = "crm.workflow.activity.value"
    _description = "Answer to a workflow request for information"
    _order = "id"

    activity_id = fields.Many2one(
        "mail.activity",
        string="Activity",
        required=True,
        ondelete="cascade",
        index=True,
    )
    name = fields.Char(string="Key", required=True, readonly=True)
    label = fields.Char(string="Question", readonly=True)
    value = fields.Char(string="Answer")
