# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Rule trigger "Meeting rescheduled": the start or the end of a meeting of
the opportunity moved."""

from odoo import api, fields, models


class CrmWorkflowRule(models.Model):
    _inherit = "crm.workflow.rule"

    trigger = fields.Selection(
        selection_add=[("on_meeting_rescheduled", "Meeting rescheduled")],
        ondelete={"on_meeting_rescheduled": "cascade"},
    )

    @api.model
    def _trigger_events_on_meeting_rescheduled(self):
        return ("meeting_rescheduled",)

    @api.model
    def _trigger_event_labels_on_meeting_rescheduled(self):
        return {"meeting_rescheduled": self.env._("Meeting rescheduled")}

    @api.model
    def _trigger_icon_on_meeting_rescheduled(self):
        return "fa-calendar"

    def _trigger_filter_on_meeting_rescheduled(self, event, ids):
        return self._meeting_filter(event, ids)

    def _trigger_check_on_meeting_rescheduled(self):
        self._check_meeting_trigger()

    def _trigger_test_on_meeting_rescheduled(self, wizard, records, lines):
        """The test run simulates the event with the opportunity's meeting."""
        return "meeting_rescheduled"
