# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stage-trigger type "Email received": an email from the customer
arrives on the opportunity."""

from odoo import api, fields, models


class CrmWorkflowTrigger(models.Model):
    _inherit = "crm.workflow.trigger"

    trigger_type = fields.Selection(
        selection_add=[("email_received", "Email received")],
        ondelete={"email_received": "cascade"},
    )

    @api.model
    def _trigger_events_email_received(self):
        return ("message_received",)

    @api.model
    def _trigger_event_labels_email_received(self):
        return {"message_received": self.env._("Email received")}

    @api.model
    def _trigger_icon_email_received(self):
        return "fa-envelope"
