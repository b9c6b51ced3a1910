# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stage-trigger type "Email not answered": an email sent from the
opportunity gets no reply within a delay. As the rule type of the same name
(crm_workflow_rule_on_email_not_answered.py): an email sent queues one job of
the trigger (``job_type`` "trigger", as a queued webhook call) due at sent +
delay and cancels the opportunity's earlier one; a reply cancels it; the job
checks again before it moves the opportunity."""

from datetime import timedelta
from time import perf_counter

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Datetime

from .crm_workflow_job import OPEN_STATES
from .crm_workflow_rule_on_email_not_answered import replied_ids


class CrmWorkflowTrigger(models.Model):
    _name = "crm.workflow.trigger"
    _inherit = ["crm.workflow.trigger", "crm.workflow.no.reply.mixin"]

    trigger_type = fields.Selection(
        selection_add=[("email_not_answered", "Email not answered")],
        ondelete={"email_not_answered": "cascade"},
    )

    @api.depends("no_reply_delay", "no_reply_unit")
    def _compute_summary(self):
        return super()._compute_summary()

    @api.model
    def _trigger_events_email_not_answered(self):
        return ("email_not_answered",)

    @api.model
    def _trigger_event_labels_email_not_answered(self):
        return {"email_not_answered": self.env._("Email not answered")}

    @api.model
    def _trigger_icon_email_not_answered(self):
        return "fa-hourglass-half"

    def _trigger_check_email_not_answered(self):
        if self.no_reply_delay < 1:
            raise ValidationError(
                self.env._(
                    "Trigger “%(name)s”: the time to wait for a reply must be at "
                    "least 1.",
                    name=self.name,
                )
            )

    def _trigger_summary_email_not_answered(self):
        return self.env._(
            "Email not answered within %(delay)s", delay=self._no_reply_words()
        )

    def _no_reply_schedule(self, records, message):
        """Wait for a reply to ``message``, just sent from ``records``; their
        earlier wait for this trigger is cancelled."""
        self.ensure_one()
        Job = self.env["crm.workflow.job"].sudo()
        # the condition is tested at the deadline, the team now
        team = self.team_id or self.stage_id.team_id
        domain = [("team_id", "=", team.id)] if team else []
        ids = self.env["crm.workflow.engine"]._search_ids(
            records._name, records.ids, domain
        )
        if not ids:
            return []
        Job.search(
            [
                ("trigger_id", "=", self.id),
                ("res_model", "=", records._name),
                ("res_id", "in", list(ids)),
                ("state", "in", list(OPEN_STATES)),
            ]
        ).write(
            {
                "state": "cancelled",
                "cancel_reason": self.env._(
                    "Another email was sent; the wait restarts from it."
                ),
            }
        )
        sent = message.sudo().date or Datetime.now()
        eta = self._no_reply_deadline(sent)
        return Job._enqueue(
            [
                {
                    "job_type": "trigger",
                    "trigger_id": self.id,
                    "res_model": records._name,
                    "res_id": record.id,
                    "eta": eta,
                    "company_id": record.company_id.id,
                    "payload": {"message_id": message.id, "sent": str(sent)},
                    "idempotency_key": f"no_reply:t{self.id}:{record.id}:{message.id}",
                }
                for record in records
                if record.id in ids
            ]
        )

    def _trigger_run_jobs_email_not_answered(self, jobs, outcome):
        """The delay is over: move the opportunities that still have no
        reply to their email."""
        trigger = self
        model = jobs[:1].res_model
        since = {}
        for job in jobs:
            message_id = (job.payload or {}).get("message_id") or 0
            since[job.res_id] = min(since.get(job.res_id, message_id), message_id)
        replied = replied_ids(self.env, model, since) if since else set()
        due = jobs.browse()
        for job in jobs:
            sent = Datetime.to_datetime((job.payload or {}).get("sent"))
            deadline = sent and trigger._no_reply_deadline(sent)
            if job.res_id in replied:
                outcome.cancel(job, self.env._("A reply was received."))
            elif deadline and deadline > job.eta + timedelta(minutes=1):
                outcome.postpone(job, deadline)
            else:
                due |= job
        if not due:
            return
        engine = self.env["crm.workflow.engine"].with_user(SUPERUSER_ID)
        started = perf_counter()
        first = {}
        for job in due:
            first.setdefault(job.res_id, job)
        moved, failures = engine._fire_triggers(
            "email_not_answered",
            model,
            list(first),
            detail={
                "message_ids": {
                    rid: j.payload["message_id"] for rid, j in first.items()
                }
            },
            triggers=trigger,
            job_ids={rid: job.id for rid, job in first.items()},
        )
        done = [rid for rid in first if rid not in failures]
        outcome.record(due, done, failures, perf_counter() - started, logged=True)


class CrmWorkflowEngine(models.AbstractModel):
    _inherit = "crm.workflow.engine"

    def _no_reply_wait(self, records, message, index):
        res = super()._no_reply_wait(records, message, index)
        trigger_ids = index.trigger_ids("email_not_answered")
        for trigger in self.env["crm.workflow.trigger"].sudo().browse(trigger_ids):
            trigger._no_reply_schedule(records.sudo(), message)
        return res

    def _no_reply_answered(self, records, index):
        res = super()._no_reply_answered(records, index)
        trigger_ids = index.trigger_ids("email_not_answered")
        if trigger_ids:
            self.env["crm.workflow.job"].sudo().search(
                [
                    ("trigger_id", "in", list(trigger_ids)),
                    ("res_model", "=", records._name),
                    ("res_id", "in", records.ids),
                    ("state", "in", list(OPEN_STATES)),
                ]
            ).write(
                {
                    "state": "cancelled",
                    "cancel_reason": self.env._("A reply was received."),
                }
            )
        return res
