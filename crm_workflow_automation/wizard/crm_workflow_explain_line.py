# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class CrmWorkflowExplainLine(models.TransientModel):
    _name = "crm.workflow.explain.line"
    _description = "Why did the workflow (not) fire: a step"
    _order = "sequence, id"

    explain_id = fields.Many2one(
        "crm.workflow.explain", required=True, ondelete="cascade"
    )
    sequence = fields.Integer()
    rule_id = fields.Many2one("crm.workflow.rule", string="Rule", ondelete="cascade")
    robot_id = fields.Many2one(
        "crm.workflow.robot", string="Automation rule", ondelete="cascade"
    )
    name = fields.Char(string="Rule or automation rule", compute="_compute_name")
    condition_id = fields.Many2one(
        "crm.workflow.condition", string="Condition", ondelete="cascade"
    )
    step = fields.Selection(
        [
            ("pause", "Active"),
            ("trigger", "Trigger"),
            ("condition", "Condition"),
            ("first_match", "First time only"),
            ("loop_guard", "Loop guard"),
            ("log", "Run log"),
            ("verdict", "Verdict"),
        ],
        required=True,
    )
    result = fields.Selection(
        [("yes", "Yes"), ("no", "No"), ("info", "Note")], required=True
    )
    detail = fields.Text()

    @api.depends("rule_id", "robot_id")
    def _compute_name(self):
        for line in self:
            line.name = (line.rule_id or line.robot_id).display_name
