# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Trigger type "Email sent": an email posted on the record's chatter by a
user of the company."""

from odoo import api, fields, models


class CrmWorkflowRule(models.Model):
    _inherit = "crm.workflow.rule"

    trigger = fields.Selection(
        selection_add=[("on_message_sent", "Email sent")],
        ondelete={"on_message_sent": "cascade"},
    )

    @api.model
    def _trigger_events_on_message_sent(self):
        return ("message_sent",)

    @api.model
    def _trigger_event_labels_on_message_sent(self):
        return {"message_sent": self.env._("Email sent")}

    @api.model
    def _trigger_icon_on_message_sent(self):
        return "fa-paper-plane"
