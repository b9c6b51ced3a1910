# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Rule trigger "Before the meeting starts": N minutes, hours or days before
a meeting of the opportunity starts. One job per (rule, opportunity,
meeting) on the durable queue, as a date rule has one per record: moved with
the meeting, cancelled with it (``crm_workflow_job_meeting.py``)."""

from time import perf_counter

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .crm_workflow_rule import delay_too_long, local_eta

MEETING_UNITS = [("minutes", "Minutes"), ("hours", "Hours"), ("days", "Days")]
# a save that changes these reschedules the rule's jobs
SCHEDULE_FIELDS = {
    "active",
    "paused",
    "trigger",
    "model_id",
    "company_id",
    "user_id",
    "meeting_offset",
    "meeting_offset_unit",
}


class CrmWorkflowRule(models.Model):
    _inherit = "crm.workflow.rule"

    trigger = fields.Selection(
        selection_add=[("on_meeting_before", "Before the meeting starts")],
        ondelete={"on_meeting_before": "cascade"},
    )
    meeting_offset = fields.Integer(
        string="Time before the meeting",
        default=1,
        help="How long before the meeting starts the rule runs.",
    )
    meeting_offset_unit = fields.Selection(
        MEETING_UNITS, string="Unit before the meeting", default="days"
    )

    @api.model
    def _trigger_events_on_meeting_before(self):
        return ("meeting_before",)

    @api.model
    def _trigger_event_labels_on_meeting_before(self):
        return {"meeting_before": self.env._("Before the meeting starts")}

    @api.model
    def _trigger_icon_on_meeting_before(self):
        return "fa-bell-o"

    def _trigger_filter_on_meeting_before(self, event, ids):
        return self._meeting_filter(event, ids)

    def _trigger_check_on_meeting_before(self):
        self._check_meeting_trigger()
        if self.meeting_offset < 0 or delay_too_long(
            self.meeting_offset, self.meeting_offset_unit
        ):
            raise ValidationError(
                self.env._(
                    "Rule “%(rule)s”: the time before the meeting must be positive "
                    "and less than 100 years.",
                    rule=self.name,
                )
            )

    def _trigger_explain_on_meeting_before(self, explain, record, event, label):
        return self._meeting_explain(explain, record, label)

    def _trigger_test_on_meeting_before(self, wizard, records, lines):
        return "meeting_before"

    def _trigger_preview_on_meeting_before(self, wizard, Model, company_domain):
        return self._meeting_preview(
            wizard,
            Model,
            company_domain,
            lambda meeting: (self._meeting_job(meeting) or (None, None))[1],
        )

    def _trigger_saved_on_meeting_before(self, vals, was_active):
        if not was_active or SCHEDULE_FIELDS & set(vals):
            self._meeting_jobs_resync()

    def _trigger_run_jobs_on_meeting_before(self, jobs, outcome):
        """The jobs whose meeting still starts at that time run the rule, with
        the meeting in the event (and in the context, for templates)."""
        due = jobs._meeting_due(outcome)
        if not due:
            return
        Model = due._job_model()
        engine = self.env["crm.workflow.engine"].with_env(Model.env)
        for batch, meetings in due._meeting_batches():
            context = {"crm_workflow_meetings": tuple(sorted(meetings.items()))}
            started = perf_counter()
            done, failures = engine.with_context(**context)._run_rule_now(
                self.with_env(Model.env).with_context(**context).sudo(),
                Model.with_context(**context).browse(sorted(meetings)),
                "meeting_before",
                {"meetings": meetings},
            )
            outcome.record(batch, done, failures, perf_counter() - started, logged=True)

    def _trigger_job_eta_on_meeting_before(self, job, record, now):
        meeting = (
            self.env["calendar.event"]
            .sudo()
            .browse((job.payload or {}).get("meeting_id") or 0)
            .exists()
        )
        return job._meeting_eta(meeting) if meeting else None

    def _trigger_meeting_job_on_meeting_before(self, meeting):
        """("meeting_before", due time): days count on the calendar of the
        rule's responsible, so "1 day before" a 10:00 meeting is 10:00 the
        day before across a daylight-saving change."""
        if not meeting.start:
            return None
        eta = local_eta(
            meeting.start,
            -self.meeting_offset,
            self.meeting_offset_unit or "days",
            self._date_rule_tz(),
        )
        return "meeting_before", eta
