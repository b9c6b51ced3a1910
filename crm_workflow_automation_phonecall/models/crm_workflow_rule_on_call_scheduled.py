# Copyright 2026 CRM Workflow Automation contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Rule trigger *Call scheduled*: a call of the opportunity is planned:
Confirmed or Pending with a date in the future, when logged or when changed to
it (moving a planned call to another future date does not fire it again). The
rule's record is the call's opportunity."""

from odoo import api, fields, models


class CrmWorkflowRule(models.Model):
    _inherit = "crm.workflow.rule"

    trigger = fields.Selection(
        selection_add=[("on_call_scheduled", "Call scheduled")],
        ondelete={"on_call_scheduled": "cascade"},
    )

    @api.model
    def _trigger_events_on_call_scheduled(self):
        return ("call_scheduled",)

    @api.model
    def _trigger_event_labels_on_call_scheduled(self):
        return {"call_scheduled": self.env._("Call scheduled")}

    @api.model
    def _trigger_icon_on_call_scheduled(self):
        return "fa-calendar-check-o"

    def _trigger_explain_on_call_scheduled(self, explain, record, event, label):
        return self.env["crm.phonecall"]._explain_call_trigger(
            "call_scheduled", record, label
        )

    def _trigger_check_on_call_scheduled(self):
        self.env["crm.phonecall"]._check_call_rule(self)

    def _trigger_loop_watched_on_call_scheduled(self):
        # a call is not a field of the opportunity: no action writes one
        return set()

    def _trigger_test_note_on_call_scheduled(self):
        return self.env._("(the test assumes that the record had such a call)")

    def _trigger_test_on_call_scheduled(self, wizard, records, lines):
        return "call_scheduled"
