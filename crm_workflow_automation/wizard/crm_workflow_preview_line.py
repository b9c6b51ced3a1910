# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import safe_eval


class CrmWorkflowPreviewLine(models.TransientModel):
    _name = "crm.workflow.preview.line"
    _description = "Preview of a Workflow Rule: a condition"

    preview_id = fields.Many2one(
        "crm.workflow.preview", required=True, ondelete="cascade"
    )
    condition_id = fields.Many2one(
        "crm.workflow.condition", string="Condition", ondelete="cascade"
    )
    name = fields.Char(string="Records")
    match_count = fields.Integer(string="Matching records")
    sample = fields.Text()
    sample_res_ids = fields.Char(string="Sample record IDs")
    domain = fields.Text()

    def action_open_records(self):
        """The matching records, in a list."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": self.preview_id.res_model,
            "view_mode": "list,form",
            "domain": safe_eval.safe_eval(
                self.domain or "[]", {"datetime": safe_eval.datetime}
            ),
        }
