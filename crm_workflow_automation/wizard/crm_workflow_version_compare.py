# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..models.crm_workflow_version_part_mixin import html_list


class CrmWorkflowVersionCompare(models.TransientModel):
    """Any two versions of one rule, robot, stage trigger or function, and
    what changed from the first to the second, in words."""

    _name = "crm.workflow.version.compare"
    _description = "Compare Workflow Versions"

    res_model = fields.Char(string="Record model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Record", model_field="res_model", required=True, readonly=True
    )
    old_version_id = fields.Many2one(
        "crm.workflow.version",
        string="From version",
        domain="[('res_model', '=', res_model), ('res_id', '=', res_id)]",
    )
    new_version_id = fields.Many2one(
        "crm.workflow.version",
        string="To version",
        required=True,
        domain="[('res_model', '=', res_model), ('res_id', '=', res_id)]",
    )
    diff_html = fields.Html(
        string="Changes", compute="_compute_diff_html", sanitize=False
    )

    @api.depends("old_version_id", "new_version_id")
    def _compute_diff_html(self):
        for wizard in self:
            new, old = wizard.new_version_id, wizard.old_version_id
            if not new or not old:
                wizard.diff_html = False
                continue
            lines = new._diff_lines(old)
            wizard.diff_html = html_list(lines or [self.env._("No change")])
