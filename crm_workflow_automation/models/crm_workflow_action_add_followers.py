# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CrmWorkflowAction(models.Model):
    _inherit = "crm.workflow.action"

    action_type = fields.Selection(
        selection_add=[("add_followers", "Add Followers")],
        ondelete={"add_followers": "cascade"},
    )
    partner_ids = fields.Many2many(
        "res.partner",
        "crm_workflow_action_partner_rel",
        "action_id",
        "partner_id",
        string="Followers",
    )

    def _check_add_followers(self):
        if not self.partner_ids:
            self._raise_config(self.env._("choose the followers to add."))

    def _run_add_followers(self, records, run):
        records.message_subscribe(partner_ids=self.partner_ids.ids)

    def _fields_written_add_followers(self):
        return {"message_follower_ids"}

    def _test_add_followers(self, records, run):
        """The followers who would be added (nothing is kept)."""
        already = records.sudo().message_partner_ids
        new = self.partner_ids - already
        return self.env._(
            "Adds the followers: %(new)s",
            new=", ".join(new.mapped("display_name"))
            or self.env._("none (already following)"),
        )

    def _effects_in_database_add_followers(self):
        """The followers are rows of the database."""
        return True
