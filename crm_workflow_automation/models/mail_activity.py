# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        """Feed "activity done" rules: a call or a meeting logged on a record."""
        done = [
            (activity.res_model, activity.res_id, activity.activity_type_id.id)
            for activity in self.sudo()
        ]
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if done:
            self.env["crm.workflow.engine"]._on_activity_done(done)
        return result
