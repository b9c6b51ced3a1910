# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Rule trigger "Meeting booked": a meeting is created for the
opportunity (a visit, a call, a demo booked)."""

from odoo import api, fields, models


class CrmWorkflowRule(models.Model):
    _inherit = "crm.workflow.rule"

    trigger = fields.Selection(
        selection_add=[("on_meeting_booked", "Meeting booked")],
        ondelete={"on_meeting_booked": "cascade"},
    )

    @api.model
    def _trigger_events_on_meeting_booked(self):
        return ("meeting_booked",)

    @api.model
    def _trigger_event_labels_on_meeting_booked(self):
        return {"meeting_booked": self.env._("Meeting booked")}

    @api.model
    def _trigger_icon_on_meeting_booked(self):
        return "fa-calendar-plus-o"

    def _trigger_filter_on_meeting_booked(self, event, ids):
        return self._meeting_filter(event, ids)

    def _trigger_check_on_meeting_booked(self):
        self._check_meeting_trigger()

    def _trigger_test_on_meeting_booked(self, wizard, records, lines):
        """The test run simulates the event with the opportunity's meeting."""
        return "meeting_booked"
