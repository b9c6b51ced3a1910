# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CrmWorkflowAction(models.Model):
    _inherit = "crm.workflow.action"

    action_type = fields.Selection(
        selection_add=[("server_action", "Server Action")],
        ondelete={"server_action": "cascade"},
    )
    server_action_id = fields.Many2one(
        "ir.actions.server",
        string="Server action",
        ondelete="restrict",
        domain="[('model_id', '=', model_id)]",
    )

    def _runs_on_deleted_records_server_action(self):
        """A server action may record, or report elsewhere, what is being
        deleted."""
        return True

    def _check_server_action(self):
        if not self.server_action_id:
            self._raise_config(self.env._("choose the server action to run."))
        if self.server_action_id.model_id != self.model_id:
            self._raise_config(
                self.env._(
                    "the server action “%(name)s” is made for another kind of record.",
                    name=self.server_action_id.name,
                )
            )

    def _run_server_action(self, records, run):
        action = self.server_action_id.with_env(records.env).with_context(
            active_model=records._name,
            active_ids=records.ids,
            active_id=records[:1].id,
        )
        action.run()

    def _test_server_action(self, records, run):
        """Named, not run: a server action may send or call anything."""
        return self.env._(
            "Would run the server action “%(name)s”; a test run does not run it.",
            name=self.server_action_id.name or "",
        )
