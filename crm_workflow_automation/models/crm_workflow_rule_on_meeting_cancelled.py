# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Rule trigger "Meeting cancelled": a meeting of the opportunity was
archived or deleted (the rule runs while the meeting still exists)."""

from odoo import api, fields, models


class CrmWorkflowRule(models.Model):
    _inherit = "crm.workflow.rule"

    trigger = fields.Selection(
        selection_add=[("on_meeting_cancelled", "Meeting cancelled")],
        ondelete={"on_meeting_cancelled": "cascade"},
    )

    @api.model
    def _trigger_events_on_meeting_cancelled(self):
        return ("meeting_cancelled",)

    @api.model
    def _trigger_event_labels_on_meeting_cancelled(self):
        return {"meeting_cancelled": self.env._("Meeting cancelled")}

    @api.model
    def _trigger_icon_on_meeting_cancelled(self):
        return "fa-calendar-times-o"

    def _trigger_filter_on_meeting_cancelled(self, event, ids):
        return self._meeting_filter(event, ids)

    def _trigger_check_on_meeting_cancelled(self):
        self._check_meeting_trigger()

    def _trigger_test_on_meeting_cancelled(self, wizard, records, lines):
        """The test run simulates the event with the opportunity's meeting."""
        return "meeting_cancelled"
