# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CrmWorkflowBacktestLine(models.TransientModel):
    _name = "crm.workflow.backtest.line"
    _description = "Backtest of a Workflow Rule: a condition"

    backtest_id = fields.Many2one(
        "crm.workflow.backtest", required=True, ondelete="cascade"
    )
    condition_id = fields.Many2one(
        "crm.workflow.condition", string="Condition", ondelete="cascade"
    )
    name = fields.Char(string="Criteria")
    match_count = fields.Integer(string="Records")
    run_count = fields.Integer(string="Runs")
    res_ids = fields.Text(string="Record IDs")
    what = fields.Text(string="What the actions would have done")

    def action_open_records(self):
        """The records the condition would have matched, as they are now."""
        self.ensure_one()
        ids = [int(i) for i in (self.res_ids or "").split(",") if i]
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": self.backtest_id.rule_id.model_name,
            "view_mode": "list,form",
            "domain": [("id", "in", ids)],
        }
