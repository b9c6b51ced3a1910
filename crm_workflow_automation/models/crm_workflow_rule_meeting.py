# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the meeting trigger types share (``crm_workflow_rule_on_meeting_*.py``):
the meeting filter and the meeting of an event. The rule's record is the
opportunity; the meeting comes with the event (``detail["meetings"]``)."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Datetime
from odoo.osv import expression


class CrmWorkflowRule(models.Model):
    _inherit = "crm.workflow.rule"

    meeting_domain = fields.Char(
        string="Meeting filter",
        help="Run only for meetings that meet these criteria (e.g. only "
        "on-site visits). Leave empty for every meeting of the opportunity.",
    )

    @api.constrains("meeting_domain")
    def _check_meeting_domain(self):
        for rule in self:
            check = rule._trigger_hook("check")
            if check:
                check()

    def _check_meeting_trigger(self):
        """A meeting trigger watches opportunities, and its filter must read."""
        if self.model_name != "crm.lead":
            raise ValidationError(
                self.env._(
                    "Rule “%(rule)s”: meeting triggers run on leads and "
                    "opportunities only.",
                    rule=self.name,
                )
            )
        try:
            self.env["calendar.event"]._crm_workflow_check_domain(self.meeting_domain)
        except Exception as e:
            raise ValidationError(
                self.env._(
                    "Rule “%(rule)s”: the meeting filter is not valid: %(error)s",
                    rule=self.name,
                    error=e,
                )
            ) from e

    def _meeting_filter(self, event, ids):
        """The ids among ``ids`` whose meeting in the event meets the rule's
        meeting filter."""
        self.ensure_one()
        Meeting = self.env["calendar.event"]
        found = Meeting._crm_workflow_matching(
            Meeting._crm_workflow_meetings_of(event, ids), self.meeting_domain
        )
        return [rid for rid in ids if rid in found]

    def _meeting_job(self, meeting):
        """(event kind, due time) of this rule's job for ``meeting``, when its
        trigger type queues one per meeting (``_trigger_meeting_job_<key>``)."""
        self.ensure_one()
        planner = getattr(self, f"_trigger_meeting_job_{self.trigger}", None)
        return planner(meeting) if planner else None

    @api.model
    def _upcoming_meetings(self):
        """The meetings of opportunities still to come or to end."""
        return (
            self.env["calendar.event"]
            .sudo()
            .search(
                [
                    ("stop", ">", Datetime.now()),
                    "|",
                    ("opportunity_id", "!=", False),
                    ("res_model", "=", "crm.lead"),
                ]
            )
        )

    def _meeting_preview(self, wizard, Model, company_domain, moment):
        """(due, touched) of the preview: when the rule would run for the
        upcoming meetings of the opportunities it may take, within the
        horizon; ``moment(meeting)`` is the due time of a meeting."""
        self.ensure_one()
        now, end = wizard._horizon()
        meetings = self._upcoming_meetings()
        leads_of = meetings._crm_workflow_lead_ids()
        leads = Model.search(
            expression.AND(
                [company_domain, [("id", "in", list(set(leads_of.values())))]]
            )
        )
        due = []
        for meeting in meetings:
            lead = leads.browse(leads_of.get(meeting.id))
            if lead.id not in leads.ids:
                continue
            eta = moment(meeting)
            if eta and now <= eta <= end:
                due.append((eta, lead, self.display_name))
        return due, 0

    def _meeting_explain(self, explain, record, label, held=False):
        """("Why (not)?") When the rule's next job for ``record`` is due (the
        meeting's "held" job with ``held``)."""
        self.ensure_one()
        Job = self.env["crm.workflow.job"]
        if held:
            job = Job._next_open(record, job_type="meeting")
        else:
            job = Job._next_open(record, rule=self)
        if job:
            return "yes", self.env._(
                "Trigger: %(trigger)s; scheduled for %(date)s.",
                trigger=label,
                date=explain._when(job.eta),
            )
        return "info", self.env._(
            "Trigger: %(trigger)s; no upcoming meeting of this record waits for it.",
            trigger=label,
        )

    def _meeting_jobs_resync(self, held=False):
        """After a save: the rule's jobs for the upcoming meetings (and the
        "held" jobs with ``held``), rescheduled from scratch."""
        running = self.filtered(lambda r: r.active and not r.paused)
        if not running:
            return
        self.env["crm.workflow.job"]._meeting_jobs_sync(
            self._upcoming_meetings(),
            rules=running,
            held=held,
            reason=self.env._("The rule's settings changed; the job was rescheduled."),
        )
