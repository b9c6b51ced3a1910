# Copyright 2026 CRM Workflow Automation contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Rule trigger *Call missed*: an inbound call of the opportunity is logged
without being held (Confirmed, Pending or Cancelled, not planned for later),
or an inbound call is set back from held or planned to one of those. The
rule's record is the call's opportunity."""

from odoo import api, fields, models


class CrmWorkflowRule(models.Model):
    _inherit = "crm.workflow.rule"

    trigger = fields.Selection(
        selection_add=[("on_call_missed", "Call missed")],
        ondelete={"on_call_missed": "cascade"},
    )

    @api.model
    def _trigger_events_on_call_missed(self):
        return ("call_missed",)

    @api.model
    def _trigger_event_labels_on_call_missed(self):
        return {"call_missed": self.env._("Call missed")}

    @api.model
    def _trigger_icon_on_call_missed(self):
        return "fa-phone-square"

    def _trigger_explain_on_call_missed(self, explain, record, event, label):
        return self.env["crm.phonecall"]._explain_call_trigger(
            "call_missed", record, label
        )

    def _trigger_check_on_call_missed(self):
        self.env["crm.phonecall"]._check_call_rule(self)

    def _trigger_loop_watched_on_call_missed(self):
        # a call is not a field of the opportunity: no action writes one
        return set()

    def _trigger_test_note_on_call_missed(self):
        return self.env._("(the test assumes that the record had such a call)")

    def _trigger_test_on_call_missed(self, wizard, records, lines):
        return "call_missed"
