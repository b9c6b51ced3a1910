# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CrmWorkflowTestRunLine(models.TransientModel):
    _name = "crm.workflow.test.run.line"
    _description = "Test Run of a Workflow Rule: a step"
    _order = "sequence, id"

    test_run_id = fields.Many2one(
        "crm.workflow.test.run", required=True, ondelete="cascade"
    )
    sequence = fields.Integer()
    action_id = fields.Many2one(
        "crm.workflow.action", string="Action", ondelete="cascade"
    )
    outcome = fields.Selection(
        [
            ("info", "Note"),
            ("would_run", "Would run"),
            ("scheduled", "Would be scheduled"),
            ("skipped", "Would not run"),
            ("failed", "Would fail"),
        ],
        required=True,
    )
    detail = fields.Text()
