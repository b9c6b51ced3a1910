# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CrmWorkflowFunctionCallLine(models.TransientModel):
    _name = "crm.workflow.function.call.line"
    _description = "Argument of a Workflow Function Run"

    call_id = fields.Many2one(
        "crm.workflow.function.call", string="Run", required=True, ondelete="cascade"
    )
    argument_id = fields.Many2one(
        "crm.workflow.function.argument",
        string="Argument",
        required=True,
        ondelete="cascade",
    )
    name = fields.Char(related="argument_id.name")
    description = fields.Char(related="argument_id.description")
    arg_type = fields.Selection(related="argument_id.arg_type")
    required = fields.Boolean(related="argument_id.required")
    value = fields.Char()
