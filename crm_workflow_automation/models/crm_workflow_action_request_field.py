# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmWorkflowActionRequestField(models.Model):
    """A piece of information a "request information" action asks for: its
    answer is in the run's data under ``name`` for the robots after it."""

    _name = "crm.workflow.action.request.field"
    _inherit = ["crm.workflow.version.part.mixin"]
    _description = "Information requested by a workflow action"
    _order = "sequence, id"
    _version_parent_field = "action_id"

    action_id = fields.Many2one(
        "crm.workflow.action",
        string="Action",
        required=True,
        ondelete="cascade",
        index=True,
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(
        string="Key",
        required=True,
        help="The name later automation rules read it under: data.get('key').",
    )
    label = fields.Char(string="Question", translate=True)

    @api.model
    def _version_kind(self):
        return self.env._("Information")

    @api.constrains("name")
    def _check_name(self):
        for line in self:
            if not (line.name or "").isidentifier():
                raise ValidationError(
                    self.env._(
                        "“%(key)s” is not a valid key: use letters, digits and _, "
                        "not starting with a digit.",
                        key=line.name,
                    )
                )
