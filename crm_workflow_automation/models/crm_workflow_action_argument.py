# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class CrmWorkflowActionArgument(models.Model):
    """The value an action (or a robot) gives one argument of its function:
    a fixed value, written as text, or a Python expression of the record."""

    _name = "crm.workflow.action.argument"
    _inherit = ["crm.workflow.version.part.mixin"]
    _description = "Workflow Action Argument"
    _order = "sequence, id"
    _version_parent_field = "action_id"

    action_id = fields.Many2one(
        "crm.workflow.action",
        string="Action",
        required=True,
        ondelete="cascade",
        index=True,
    )
    argument_id = fields.Many2one(
        "crm.workflow.function.argument",
        string="Argument",
        required=True,
        ondelete="cascade",
    )
    sequence = fields.Integer(related="argument_id.sequence", store=True)
    name = fields.Char(related="argument_id.name", string="Name")
    arg_type = fields.Selection(related="argument_id.arg_type")
    mode = fields.Selection(
        [("value", "A fixed value"), ("expression", "A Python expression")],
        string="Set to",
        default="value",
        required=True,
    )
    value = fields.Char(
        help="Written as text: 5, 2.5, yes, 2026-12-31, a record id or JSON."
    )
    expression = fields.Char(
        groups="crm_workflow_automation.group_workflow_developer",
        help="Evaluated for each record, e.g. record.partner_id.id or "
        "record.expected_revenue * 0.1. Available: record, user, datetime, "
        "relativedelta, context_today.",
    )

    @api.model
    def _version_kind(self):
        return self.env._("Argument")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_code_access(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_code_access(vals)
        return super().write(vals)

    @api.model
    def _check_code_access(self, vals):
        """An expression is code: Workflow Developers only."""
        if vals.get("expression") and not self.env.su:
            self.env["crm.workflow.action"]._check_developer()
