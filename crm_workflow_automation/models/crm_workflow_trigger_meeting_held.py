# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stage trigger "Meeting held": the end of a meeting of the opportunity
passed and it was not cancelled (the meeting's job at its end time,
``crm_workflow_job_meeting.py``). Meetings booked before the trigger existed
have no such job."""

from odoo import api, fields, models


class CrmWorkflowTrigger(models.Model):
    _inherit = "crm.workflow.trigger"

    trigger_type = fields.Selection(
        selection_add=[("meeting_held", "Meeting held")],
        ondelete={"meeting_held": "cascade"},
    )

    @api.model
    def _trigger_events_meeting_held(self):
        return ("meeting_held",)

    @api.model
    def _trigger_event_labels_meeting_held(self):
        return {"meeting_held": self.env._("Meeting held")}

    @api.model
    def _trigger_icon_meeting_held(self):
        return "fa-handshake-o"

    def _trigger_fire_meeting_held(self, event):
        return self._meeting_fire(event)

    def _trigger_check_meeting_held(self):
        self._check_meeting_trigger()

    def _trigger_saved_meeting_held(self, vals):
        """The meetings booked before the trigger existed get their "held"
        job too (one job per meeting serves every listener)."""
        if not self.active or not {"active", "trigger_type", "stage_id"} & set(vals):
            return
        self.env["crm.workflow.job"]._meeting_jobs_sync(
            self.env["crm.workflow.rule"]._upcoming_meetings(),
            rules=self.env["crm.workflow.rule"],
            held=True,
            reason=self.env._(
                "The trigger's settings changed; the job was rescheduled."
            ),
        )
