# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Jobs at a moment of a meeting: "N before the meeting starts" (a rule's own
job, ``job_type`` ``rule``, one per rule, opportunity and meeting, as a date
rule has one per record; its type runs it) and "meeting held" (a job of kind
``meeting``, one per meeting at its end, which tells every rule and stage
trigger that listens). The meetings keep them in step
(``calendar_event.py``): a meeting moved reschedules its jobs, a meeting
cancelled or deleted cancels them; and each job checks, when due, that its
meeting still says so."""

import time
from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.fields import Datetime

HELD = "meeting_held"
# the open jobs of meetings (both kinds carry the meeting in their payload)
MEETING_JOB_WHERE = (
    "job_type IN ('rule', 'meeting') AND state IN ('pending', 'failed')"
    " AND (payload->>'meeting_id') IS NOT NULL"
)
OPEN_MEETING_JOBS = f"""
    SELECT id, idempotency_key, (payload->>'meeting_id')::int, COALESCE(rule_id, 0)
      FROM crm_workflow_job
     WHERE {MEETING_JOB_WHERE} AND (payload->>'meeting_id')::int = ANY(%s)
"""


class CrmWorkflowJob(models.Model):
    _inherit = "crm.workflow.job"

    job_type = fields.Selection(
        selection_add=[("meeting", "Meeting")],
        ondelete={"meeting": "cascade"},
    )

    def init(self):
        res = super().init()
        # a meeting moved or cancelled finds its open jobs
        tools.create_index(
            self.env.cr,
            "crm_workflow_job_meeting_idx",
            self._table,
            ["((payload->>'meeting_id')::int)"],
            where=MEETING_JOB_WHERE,
        )
        return res

    @api.depends("rule_id", "action_id", "record_name", "trigger_id", "payload")
    def _compute_display_name(self):
        res = super()._compute_display_name()
        held = self.filtered(lambda job: job.job_type == "meeting")
        if held:
            label = self.env["crm.workflow.rule"]._trigger_event_labels().get(HELD)
            for job in held:
                job.display_name = f"{label} / {job.record_name}"
        return res

    # ------------------------------------------------------------------
    # planning
    # ------------------------------------------------------------------

    @api.model
    def _meeting_rules(self):
        """The running rules of opportunities whose trigger type queues a job
        per meeting (it defines ``_trigger_meeting_job_<key>``)."""
        Rule = self.env["crm.workflow.rule"].sudo()
        keys = [
            key
            for key, __ in Rule._fields["trigger"].selection
            if hasattr(Rule, f"_trigger_meeting_job_{key}")
        ]
        if not keys:
            return Rule
        return Rule.search(
            [
                ("trigger", "in", keys),
                ("model_name", "=", "crm.lead"),
                ("paused", "=", False),
            ]
        )

    @api.model
    def _meeting_jobs_wanted(self, meetings, rules, held, now=None):
        """The job values that ``meetings`` ask for now: one per rule of
        ``rules`` (its type tells the event and the moment) and, with
        ``held``, one at the meeting's end. Past moments ask for none."""
        now = now or Datetime.now()
        if not rules and not held:
            return []
        leads_of = meetings._crm_workflow_lead_ids()
        Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
        companies = {
            lead.id: lead.company_id.id for lead in Lead.browse(set(leads_of.values()))
        }
        values = []
        for meeting in meetings.sudo().with_context(active_test=False):
            lead_id = leads_of.get(meeting.id)
            if not lead_id or not meeting.active:
                continue
            company = companies.get(lead_id)
            base = {
                "job_type": "meeting",
                "res_model": "crm.lead",
                "res_id": lead_id,
                "company_id": company,
            }
            if held and meeting.stop and meeting.stop > now:
                values.append(
                    {
                        **base,
                        "eta": meeting.stop,
                        "payload": {"meeting_id": meeting.id, "kind": HELD},
                        "idempotency_key": f"{HELD}:{lead_id}:{meeting.id}:"
                        f"{meeting.stop.isoformat()}",
                    }
                )
            for rule in rules:
                if rule.company_id and company and rule.company_id.id != company:
                    continue  # the opportunity's company decides
                planned = rule._meeting_job(meeting)
                if not planned or planned[1] <= now:
                    continue
                kind, eta = planned
                values.append(
                    {
                        **base,
                        "job_type": "rule",
                        "rule_id": rule.id,
                        "eta": eta,
                        "payload": {"meeting_id": meeting.id, "kind": kind},
                        "idempotency_key": f"{kind}:{rule.id}:{lead_id}:"
                        f"{meeting.id}:{eta.isoformat()}",
                    }
                )
        return values

    @api.model
    def _meeting_jobs_sync(self, meetings, rules=None, held=False, reason=None):
        """Make the open jobs of ``meetings`` what they ask for now. When a
        rule was saved, only its own: the jobs of ``rules`` (and, with
        ``held``, the "held" jobs). Jobs no longer wanted are cancelled (moved,
        cancelled, relinked), the missing ones queued; a job still right
        stays as it is. ``reason``: why a job moves (default: its meeting
        moved)."""
        partial = rules is not None
        if not partial:
            rules = self._meeting_rules()
            held = self.env["crm.workflow.engine"]._listens(HELD, "crm.lead")
        wanted = self._meeting_jobs_wanted(meetings, rules, bool(held))
        keys = {vals["idempotency_key"] for vals in wanted}
        self.flush_model()
        self.env.cr.execute(OPEN_MEETING_JOBS, [list(meetings.ids)])
        rows = self.env.cr.fetchall()
        if partial:
            scope = set(rules.ids) | ({0} if held else set())
            rows = [row for row in rows if row[3] in scope]
        live = self._meeting_live_ids(meetings)
        moved, gone = [], []
        for job_id, key, meeting_id, __ in rows:
            if key in keys:
                continue
            (moved if meeting_id in live else gone).append(job_id)
        self._meeting_cancel_ids(
            moved, reason or self.env._("The meeting moved; the job was rescheduled.")
        )
        self._meeting_cancel_ids(gone, self.env._("The meeting was cancelled."))
        if wanted:
            # a cancelled job gives its key back (a meeting moved back)
            self.env.cr.execute(
                "UPDATE crm_workflow_job SET idempotency_key = idempotency_key"
                " || ':cancelled:' || id WHERE idempotency_key = ANY(%s)"
                " AND state = 'cancelled'",
                [list(keys)],
            )
            self._enqueue(wanted)

    @api.model
    def _meeting_live_ids(self, meetings):
        """Ids of ``meetings`` that exist, are active and have an
        opportunity."""
        leads_of = meetings._crm_workflow_lead_ids()
        existing = meetings.sudo().with_context(active_test=False).exists()
        return {m.id for m in existing if m.active and m.id in leads_of}

    @api.model
    def _meeting_jobs_cancel(self, meeting_ids, reason):
        """Cancel the open jobs of these meetings (deleted)."""
        if not meeting_ids:
            return []
        self.flush_model()
        self.env.cr.execute(OPEN_MEETING_JOBS, [list(meeting_ids)])
        return self._meeting_cancel_ids(
            [row[0] for row in self.env.cr.fetchall()], reason
        )

    @api.model
    def _meeting_cancel_ids(self, job_ids, reason):
        if not job_ids:
            return []
        self.env.cr.execute(
            """UPDATE crm_workflow_job SET state = 'cancelled', cancel_reason = %s,
                      write_date = now() at time zone 'UTC'
                WHERE id = ANY(%s) AND state IN ('pending', 'failed')""",
            [reason, list(job_ids)],
        )
        self.invalidate_model(["state", "cancel_reason"])
        return job_ids

    # ------------------------------------------------------------------
    # running
    # ------------------------------------------------------------------

    def _meeting_eta(self, meeting):
        """When this job's meeting asks for it now (None: no longer)."""
        kind = (self.payload or {}).get("kind")
        if kind == HELD:
            return meeting.stop
        planned = self.rule_id._meeting_job(meeting) if self.rule_id else None
        return planned[1] if planned and planned[0] == kind else None

    def _meeting_due(self, outcome):
        """The jobs whose meeting still asks for them: still there, still the
        opportunity's and still at that time (a meeting moved later has its
        own job; an earlier one is due anyway). The others are cancelled."""
        jobs = self._drop_gone(outcome)
        Meeting = self.env["calendar.event"].sudo().with_context(active_test=False)
        meetings = Meeting.browse(
            {(job.payload or {}).get("meeting_id") or 0 for job in jobs}
        ).exists()
        leads_of = meetings._crm_workflow_lead_ids()
        due = self.browse()
        for job in jobs:
            meeting = meetings.browse((job.payload or {}).get("meeting_id") or 0)
            if meeting.id not in meetings.ids or not meeting.active:
                outcome.cancel(job, self.env._("The meeting was cancelled."))
            elif leads_of.get(meeting.id) != job.res_id:
                outcome.cancel(
                    job,
                    self.env._("The meeting no longer belongs to this opportunity."),
                )
            else:
                eta = job._meeting_eta(meeting)
                if eta is None or eta > job.eta + timedelta(minutes=1):
                    outcome.cancel(
                        job,
                        self.env._("The meeting moved; the job was rescheduled."),
                    )
                else:
                    due |= job
        return due

    def _meeting_batches(self):
        """[(jobs, {opportunity id: meeting id})]: the jobs in batches that
        name each opportunity once (an event names a record once)."""
        rounds, seen = [], []
        for job in self.sorted("id"):
            number = 0
            while number < len(seen) and job.res_id in seen[number]:
                number += 1
            if number == len(rounds):
                rounds.append(self.browse())
                seen.append(set())
            rounds[number] |= job
            seen[number].add(job.res_id)
        return [
            (jobs, {job.res_id: job.payload["meeting_id"] for job in jobs})
            for jobs in rounds
        ]

    def _run_meeting_jobs(self, outcome):
        """Meetings held: every rule and stage trigger that listens hears it,
        with the meeting in the event (and in the context, for templates)."""
        due = self._meeting_due(outcome)
        if not due:
            return
        engine = self.env["crm.workflow.engine"].with_env(due._job_model().env)
        for jobs, meetings in due._meeting_batches():
            started = time.perf_counter()
            engine.with_context(
                crm_workflow_meetings=tuple(sorted(meetings.items()))
            )._emit(HELD, "crm.lead", sorted(meetings), {"meetings": meetings})
            ids = list(meetings)
            outcome.record(jobs, ids, {}, time.perf_counter() - started, logged=True)
