# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Meetings as events of their opportunity: booked (created), rescheduled
(start or stop moved), cancelled (archived or deleted). The moments of a
meeting ("N before it starts", "held") are jobs of the durable queue
(``crm_workflow_job_meeting.py``), kept in step here. A meeting without an
opportunity is none of our business."""

from collections import defaultdict
from typing import NamedTuple

from odoo import api, models
from odoo.osv import expression
from odoo.tools import safe_eval

# the engine events of meetings, all on their opportunity (crm.lead)
MEETING_KINDS = (
    "meeting_booked",
    "meeting_rescheduled",
    "meeting_cancelled",
    "meeting_before",
    "meeting_held",
)
# written fields that may move, cancel or relink a meeting
WATCHED = frozenset(
    {
        "start",
        "stop",
        "start_date",
        "stop_date",
        "allday",
        "duration",
        "active",
        "opportunity_id",
        "res_model",
        "res_model_id",
        "res_id",
    }
)


class MeetingState(NamedTuple):
    """What a write may change of a meeting, compared before and after it."""

    active: bool
    lead_id: int | None
    times: tuple  # (start, stop)


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    @api.model_create_multi
    def create(self, vals_list):
        meetings = super().create(vals_list)
        if meetings._crm_workflow_listened():
            meetings._crm_workflow_sync_jobs()
            # a recurring meeting is booked once: its later occurrences (made
            # by the recurrence) have their own jobs, not a booking
            meetings.filtered(
                lambda m: not m.recurrence_id or m.recurrence_id.base_event_id == m
            )._crm_workflow_emit("meeting_booked")
        return meetings

    def write(self, vals):
        if not WATCHED.intersection(vals) or not self._crm_workflow_listened():
            return super().write(vals)
        before = self._crm_workflow_state()
        res = super().write(vals)
        after = self._crm_workflow_state()
        changed = [mid for mid in before if before[mid] != after.get(mid)]
        if changed:
            self.browse(changed)._crm_workflow_sync_jobs()
        moved = [
            mid
            for mid in changed
            if before[mid].active
            and after[mid].active
            and before[mid].lead_id == after[mid].lead_id
            and before[mid].times != after[mid].times
        ]
        cancelled = [
            mid for mid in changed if before[mid].active and not after[mid].active
        ]
        if moved:
            self.browse(moved)._crm_workflow_emit("meeting_rescheduled")
        if cancelled:
            self.browse(cancelled)._crm_workflow_emit(
                "meeting_cancelled", active_test=False
            )
        return res

    def unlink(self):
        if not self or not self._crm_workflow_listened():
            return super().unlink()
        # told while the meeting still exists: the meeting filter reads it
        self.filtered("active")._crm_workflow_emit("meeting_cancelled")
        ids = list(self.ids)
        res = super().unlink()
        self.env["crm.workflow.job"]._meeting_jobs_cancel(
            ids, self.env._("The meeting was deleted.")
        )
        return res

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    @api.model
    def _crm_workflow_listened(self):
        """Whether a rule or a stage trigger listens to meetings: a lookup in
        the engine's registry cache, so that a company without meeting
        automation pays nothing."""
        engine = self.env["crm.workflow.engine"]
        return any(engine._listens(kind, "crm.lead") for kind in MEETING_KINDS)

    @api.model
    def _crm_workflow_domain(self, text):
        """A meeting filter (text) as a domain list, evaluated as the rules'
        criteria are (``uid``, ``context_today()``...)."""
        if not text:
            return []
        Condition = self.env["crm.workflow.condition"]
        domain = safe_eval.safe_eval(text, Condition._domain_eval_context())
        if not isinstance(domain, list | tuple):
            raise ValueError(self.env._("the criteria must be a list of conditions"))
        return expression.normalize_domain(list(domain))

    @api.model
    def _crm_workflow_matching(self, meetings_by_lead, text):
        """The opportunity ids of ``meetings_by_lead`` ({opportunity id:
        meeting id}) whose meeting meets the meeting filter ``text``
        (archived and just cancelled meetings included)."""
        if not text:
            return {lid for lid, mid in meetings_by_lead.items() if mid}
        Meeting = self.sudo().with_context(active_test=False)
        found = set(
            Meeting.search(
                expression.AND(
                    [
                        [("id", "in", list(set(meetings_by_lead.values())))],
                        self._crm_workflow_domain(text),
                    ]
                )
            ).ids
        )
        return {lid for lid, mid in meetings_by_lead.items() if mid in found}

    @api.model
    def _crm_workflow_meetings_of(self, event, ids):
        """{opportunity id: meeting id} of an engine event: told by the
        meeting that caused it, else (a test run) the opportunity's meeting
        (``crm.lead.workflow_meeting_id``)."""
        told = event.detail.get("meetings")
        if told is not None:
            return {rid: told[rid] for rid in ids if told.get(rid)}
        leads = self.env["crm.lead"].sudo().browse(ids)
        return {
            lead.id: lead.workflow_meeting_id.id
            for lead in leads
            if lead.workflow_meeting_id
        }

    @api.model
    def _crm_workflow_check_domain(self, text):
        """Raise ValueError when the meeting filter ``text`` does not read."""
        self.sudo().search_count(self._crm_workflow_domain(text), limit=1)

    def _crm_workflow_lead_ids(self):
        """{meeting id: opportunity id} of the meetings linked to an
        opportunity (``opportunity_id``, or ``res_model``/``res_id`` when the
        meeting was made from the lead's chatter)."""
        leads = {}
        by_res_id = {}
        for meeting in self.sudo().with_context(active_test=False):
            if meeting.opportunity_id:
                leads[meeting.id] = meeting.opportunity_id.id
            elif meeting.res_model == "crm.lead" and meeting.res_id:
                by_res_id[meeting.id] = meeting.res_id
        if by_res_id:
            Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
            live = set(Lead.browse(set(by_res_id.values())).exists().ids)
            leads.update({m: lid for m, lid in by_res_id.items() if lid in live})
        return leads

    def _crm_workflow_state(self):
        """{meeting id: MeetingState} for comparing before and after a write."""
        leads = self._crm_workflow_lead_ids()
        return {
            meeting.id: MeetingState(
                meeting.active, leads.get(meeting.id), (meeting.start, meeting.stop)
            )
            for meeting in self.sudo().with_context(active_test=False)
        }

    def _crm_workflow_rounds(self):
        """[{opportunity id: meeting id}]: an event names each opportunity
        once, so the meetings of one opportunity booked together go in
        successive rounds (usually a single one)."""
        by_lead = defaultdict(list)
        for meeting_id, lead_id in sorted(self._crm_workflow_lead_ids().items()):
            by_lead[lead_id].append(meeting_id)
        rounds = []
        for lead_id, meeting_ids in by_lead.items():
            for number, meeting_id in enumerate(meeting_ids):
                if number == len(rounds):
                    rounds.append({})
                rounds[number][lead_id] = meeting_id
        return rounds

    def _crm_workflow_emit(self, kind, active_test=True):
        """One engine event of ``kind`` for the opportunities of these
        meetings (per round); the meetings in ``detail`` and, for templates,
        in the context (``crm.lead.workflow_meeting_id``)."""
        engine = self.env["crm.workflow.engine"]
        if not engine._listens(kind, "crm.lead"):
            return
        meetings = self.with_context(active_test=False)
        if active_test:
            meetings = meetings.filtered("active")
        for meetings_by_lead in meetings._crm_workflow_rounds():
            engine.with_context(
                crm_workflow_meetings=tuple(sorted(meetings_by_lead.items()))
            )._emit(
                kind,
                "crm.lead",
                sorted(meetings_by_lead),
                detail={"meetings": meetings_by_lead},
            )

    def _crm_workflow_sync_jobs(self):
        self.env["crm.workflow.job"]._meeting_jobs_sync(
            self.with_context(active_test=False)
        )
