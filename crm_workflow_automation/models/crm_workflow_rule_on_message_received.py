# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Trigger type "Email received": an email posted on the record's chatter by
no one or by a customer (as base_automation tells them apart)."""

from odoo import api, fields, models


class CrmWorkflowRule(models.Model):
    _inherit = "crm.workflow.rule"

    trigger = fields.Selection(
        selection_add=[("on_message_received", "Email received")],
        ondelete={"on_message_received": "cascade"},
    )

    @api.model
    def _trigger_events_on_message_received(self):
        return ("message_received",)

    @api.model
    def _trigger_event_labels_on_message_received(self):
        return {"message_received": self.env._("Email received")}

    @api.model
    def _trigger_icon_on_message_received(self):
        return "fa-envelope"
