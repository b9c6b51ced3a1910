# Copyright 2026 CRM Workflow Automation contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Rule trigger *Call received*: an inbound call of the opportunity is held:
logged as held, or set to held later. The rule's record is the call's
opportunity."""

from odoo import api, fields, models


class CrmWorkflowRule(models.Model):
    _inherit = "crm.workflow.rule"

    trigger = fields.Selection(
        selection_add=[("on_call_received", "Call received")],
        ondelete={"on_call_received": "cascade"},
    )

    @api.model
    def _trigger_events_on_call_received(self):
        return ("call_received",)

    @api.model
    def _trigger_event_labels_on_call_received(self):
        return {"call_received": self.env._("Call received")}

    @api.model
    def _trigger_icon_on_call_received(self):
        return "fa-phone"

    def _trigger_explain_on_call_received(self, explain, record, event, label):
        return self.env["crm.phonecall"]._explain_call_trigger(
            "call_received", record, label
        )

    def _trigger_check_on_call_received(self):
        self.env["crm.phonecall"]._check_call_rule(self)

    def _trigger_loop_watched_on_call_received(self):
        # a call is not a field of the opportunity: no action writes one
        return set()

    def _trigger_test_note_on_call_received(self):
        return self.env._("(the test assumes that the record had such a call)")

    def _trigger_test_on_call_received(self, wizard, records, lines):
        return "call_received"
