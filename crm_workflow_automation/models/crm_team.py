# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    workflow_run_skipped_stages = fields.Boolean(
        string="Run the automation rules of skipped stages",
        help="When an opportunity jumps over stages (from the first to the fourth), "
        "the automation rules of the stages in between run too, in stage order. "
        "Otherwise only those of the stage it lands in.",
    )

    def action_open_automation_board(self):
        """The board of this pipeline's automation rules and triggers."""
        self.ensure_one()
        return {
            "type": "ir.actions.client",
            "tag": "crm_workflow_automation.board",
            "name": self.env._("Automation rules: %(team)s", team=self.name),
            "params": {"team_id": self.id},
            "context": {"default_team_id": self.id},
        }
