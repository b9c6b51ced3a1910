# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stage-trigger type "Email sent": a user emails the customer from the
opportunity."""

from odoo import api, fields, models


class CrmWorkflowTrigger(models.Model):
    _inherit = "crm.workflow.trigger"

    trigger_type = fields.Selection(
        selection_add=[("email_sent", "Email sent")],
        ondelete={"email_sent": "cascade"},
    )

    @api.model
    def _trigger_events_email_sent(self):
        return ("message_sent",)

    @api.model
    def _trigger_event_labels_email_sent(self):
        return {"message_sent": self.env._("Email sent")}

    @api.model
    def _trigger_icon_email_sent(self):
        return "fa-paper-plane"
