# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo import fields, models


def dialog_action(record, name):
    """Open ``record`` (a wizard) in a dialog."""
    return {
        "type": "ir.actions.act_window",
        "name": name,
        "res_model": record._name,
        "res_id": record.id,
        "view_mode": "form",
        "target": "new",
    }


class CrmWorkflowFunctionCall(models.TransientModel):
    """The small dialog of a function's button: the arguments without a
    default, then the call."""

    _name = "crm.workflow.function.call"
    _description = "Run a Workflow Function"

    function_id = fields.Many2one(
        "crm.workflow.function",
        string="Function",
        required=True,
        ondelete="cascade",
        readonly=True,
    )
    function_name = fields.Char(related="function_id.name")
    res_model = fields.Char(string="Record type", readonly=True)
    res_ids = fields.Char(string="Record ids", readonly=True)
    line_ids = fields.One2many(
        "crm.workflow.function.call.line", "call_id", string="Arguments"
    )

    def _action_open(self):
        return dialog_action(self, self.sudo().function_id.name)

    def action_run(self):
        self.ensure_one()
        function = self.function_id
        records = self.env[self.res_model].browse(json.loads(self.res_ids or "[]"))
        args = {line.name: line.value for line in self.line_ids if line.value}
        return function._run_from_button(records, args, from_text=True)
