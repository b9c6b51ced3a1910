# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Rule trigger "Meeting held": the end of a meeting of the opportunity has
passed and the meeting was not cancelled. The meeting's job at its end time
(one per meeting, ``crm_workflow_job_meeting.py``) tells every rule and stage
trigger that listens; a meeting moved or cancelled moves or cancels it."""

from odoo import api, fields, models


class CrmWorkflowRule(models.Model):
    _inherit = "crm.workflow.rule"

    trigger = fields.Selection(
        selection_add=[("on_meeting_held", "Meeting held")],
        ondelete={"on_meeting_held": "cascade"},
    )

    @api.model
    def _trigger_events_on_meeting_held(self):
        return ("meeting_held",)

    @api.model
    def _trigger_event_labels_on_meeting_held(self):
        return {"meeting_held": self.env._("Meeting held")}

    @api.model
    def _trigger_icon_on_meeting_held(self):
        return "fa-handshake-o"

    def _trigger_filter_on_meeting_held(self, event, ids):
        return self._meeting_filter(event, ids)

    def _trigger_check_on_meeting_held(self):
        self._check_meeting_trigger()

    def _trigger_explain_on_meeting_held(self, explain, record, event, label):
        return self._meeting_explain(explain, record, label, held=True)

    def _trigger_test_on_meeting_held(self, wizard, records, lines):
        return "meeting_held"

    def _trigger_preview_on_meeting_held(self, wizard, Model, company_domain):
        return self._meeting_preview(
            wizard, Model, company_domain, lambda meeting: meeting.stop
        )

    def _trigger_saved_on_meeting_held(self, vals, was_active):
        """The meetings booked before the rule existed get their job too."""
        if not was_active or {"active", "paused", "trigger"} & set(vals):
            self._meeting_jobs_resync(held=True)
