# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Trigger type "Email not answered": an email sent from the record (by a
person or a rule) gets no reply on the same thread within a delay.

Durable jobs, as the date rule's: an email sent queues one job of the rule
(``job_type`` "rule") due at sent + delay, and cancels the record's earlier
one (the wait restarts from the latest email); a reply received cancels it;
when the job runs it checks again that no reply came since the email."""

from datetime import timedelta
from time import perf_counter

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Datetime

from .crm_workflow_job import OPEN_STATES


def replied_ids(env, model, since):
    """The records of ``model`` among ``since`` ({record id: message id of
    the email waiting}) that received an email after that message."""
    engine = env["crm.workflow.engine"]
    Message = env["mail.message"].sudo().with_context(active_test=False)
    first = min(since.values())
    messages = Message.search(
        [
            ("model", "=", model),
            ("res_id", "in", list(since)),
            ("id", ">", first),
            ("message_type", "in", ("email", "comment")),
        ]
    )
    return {
        message.res_id
        for message in messages
        if message.id > since[message.res_id]
        and engine._message_kind(message) == "message_received"
    }


class CrmWorkflowRule(models.Model):
    _name = "crm.workflow.rule"
    _inherit = ["crm.workflow.rule", "crm.workflow.no.reply.mixin"]

    trigger = fields.Selection(
        selection_add=[("on_email_not_answered", "Email not answered")],
        ondelete={"on_email_not_answered": "cascade"},
    )

    @api.model
    def _trigger_events_on_email_not_answered(self):
        return ("email_not_answered",)

    @api.model
    def _trigger_event_labels_on_email_not_answered(self):
        return {"email_not_answered": self.env._("Email not answered")}

    @api.model
    def _trigger_icon_on_email_not_answered(self):
        return "fa-hourglass-half"

    def _trigger_check_on_email_not_answered(self):
        if self.no_reply_delay < 1:
            raise ValidationError(
                self.env._(
                    "Rule “%(rule)s”: the time to wait for a reply must be at least 1.",
                    rule=self.name,
                )
            )

    def _trigger_test_note_on_email_not_answered(self):
        return self._no_reply_words()

    def _no_reply_words(self):
        return self.env._(
            "(no reply within %(delay)s)", delay=super()._no_reply_words()
        )

    def _no_reply_calendar(self):
        """The rule's working-schedule setting (the company's or its
        responsible's), as its date offsets."""
        return (
            self._working_calendar_of(self.no_reply_unit, self.user_id, self.company_id)
            or super()._no_reply_calendar()
        )

    def _trigger_saved_on_email_not_answered(self, vals, was_active):
        if "trigger" in vals or "model_id" in vals:
            # the jobs of an earlier type (a date rule's) are not ours
            self._cancel_pending_jobs(
                self.env._("The rule's trigger changed."), job_type="rule"
            )
        elif {"no_reply_delay", "no_reply_unit"} & set(vals):
            self._no_reply_reschedule()

    def _no_reply_jobs(self, records=None):
        domain = [
            ("rule_id", "=", self.id),
            ("job_type", "=", "rule"),
            ("state", "in", list(OPEN_STATES)),
        ]
        if records is not None:
            domain += [("res_model", "=", records._name), ("res_id", "in", records.ids)]
        return self.env["crm.workflow.job"].sudo().search(domain, order="eta")

    def _no_reply_reschedule(self):
        """The delay changed: the waiting jobs follow it."""
        for job in self._no_reply_jobs():
            sent = Datetime.to_datetime((job.payload or {}).get("sent"))
            if sent:
                eta = self._no_reply_deadline(sent)
                job.write({"eta": eta})
        self.env["crm.workflow.job"]._wake_runners()

    def _trigger_explain_on_email_not_answered(self, explain, record, event, label):
        job = self._no_reply_jobs(record)[:1]
        if job:
            return "yes", self.env._(
                "Trigger: %(trigger)s; an email waits for a reply until %(date)s.",
                trigger=label,
                date=explain._when(job.eta),
            )
        return "info", self.env._(
            "Trigger: %(trigger)s; no email of the record is waiting for a reply.",
            trigger=label,
        )

    def _trigger_test_on_email_not_answered(self, wizard, records, lines):
        job = self._no_reply_jobs(records)[:1]
        if job:
            words = self.env._(
                "An email of the record waits for a reply: the rule would run on "
                "%(date)s if none comes.",
                date=wizard._when(job.eta),
            )
        else:
            words = self.env._(
                "The test run acts as if an email sent from the record had had no "
                "reply in time."
            )
        lines.append(wizard._line("info", words))
        return "email_not_answered"

    def _trigger_preview_on_email_not_answered(self, wizard, Model, company):
        """The records whose email waits for a reply, at its deadline."""
        now, end = wizard._horizon()
        jobs = self._no_reply_jobs().filtered(lambda j: j.eta <= end)
        records = Model.browse(jobs.mapped("res_id")).exists()
        if company:
            records = records.filtered_domain(company)
        name = self.display_name
        due = [
            (max(job.eta, now), records.browse(job.res_id), name)
            for job in jobs
            if job.res_id in records.ids
        ]
        return due, 0

    def _trigger_job_eta_on_email_not_answered(self, job, record, now):
        sent = Datetime.to_datetime((job.payload or {}).get("sent"))
        if not sent:
            return None
        return self._no_reply_deadline(sent)

    def _no_reply_schedule(self, records, message):
        """Wait for a reply to ``message``, just sent from ``records``: the
        records' earlier wait is cancelled (the latest email counts)."""
        self.ensure_one()
        Job = self.env["crm.workflow.job"].sudo()
        ids = self.env["crm.workflow.engine"]._search_ids(
            records._name, records.ids, self._company_domain(records)
        )
        if not ids:
            return []
        Job._cancel_for_records(
            records._name,
            list(ids),
            self.env._("Another email was sent; the wait restarts from it."),
            rule_ids=self.ids,
            job_type="rule",
        )
        sent = message.sudo().date or Datetime.now()
        eta = self._no_reply_deadline(sent)
        return Job._enqueue(
            [
                {
                    "job_type": "rule",
                    "rule_id": self.id,
                    "res_model": records._name,
                    "res_id": rid,
                    "eta": eta,
                    "payload": {"message_id": message.id, "sent": str(sent)},
                    "idempotency_key": f"no_reply:{self.id}:{rid}:{message.id}",
                }
                for rid in records.ids
                if rid in ids
            ]
        )

    def _trigger_run_jobs_on_email_not_answered(self, jobs, outcome):
        """The delay is over: run the rule for the records that still have
        no reply to their email."""
        rule = self
        Model = jobs._job_model()
        jobs = jobs._drop_gone(outcome)
        ours = jobs.filtered(lambda j: (j.payload or {}).get("message_id"))
        outcome.cancel(
            jobs - ours, self.env._("The rule's trigger no longer schedules jobs.")
        )
        since = {}
        for job in ours:
            since[job.res_id] = min(
                since.get(job.res_id, job.payload["message_id"]),
                job.payload["message_id"],
            )
        replied = replied_ids(self.env, Model._name, since) if since else set()
        due = jobs.browse()
        for job in ours:
            deadline = rule._trigger_job_eta_on_email_not_answered(job, None, None)
            if job.res_id in replied:
                outcome.cancel(job, self.env._("A reply was received."))
            elif deadline and deadline > job.eta + timedelta(minutes=1):
                outcome.postpone(job, deadline)
            else:
                due |= job
        if not due:
            return
        engine = self.env["crm.workflow.engine"].with_env(Model.env)
        started = perf_counter()
        done, failures = engine._run_rule_now(
            rule.with_env(Model.env).sudo(),
            Model.browse(due.mapped("res_id")),
            "email_not_answered",
            {"message_ids": {job.res_id: job.payload["message_id"] for job in due}},
        )
        outcome.record(due, done, failures, perf_counter() - started, logged=True)


class CrmWorkflowEngine(models.AbstractModel):
    _inherit = "crm.workflow.engine"

    @api.model
    def _message_event_kinds(self):
        return super()._message_event_kinds() + ("email_not_answered",)

    def _on_message(self, records, message, index):
        """An email sent starts the wait for a reply; a reply ends it."""
        res = super()._on_message(records, message, index)
        kind = self._message_kind(message)
        if kind == "message_sent":
            self._no_reply_wait(records, message, index)
        elif kind == "message_received":
            self._no_reply_answered(records, index)
        return res

    def _no_reply_wait(self, records, message, index):
        """``message`` was just sent from ``records``: the "not answered"
        rules wait for a reply (the stage-trigger type extends it)."""
        specs = index.rules.get("email_not_answered")
        if specs:
            rules = self.env["crm.workflow.rule"].sudo().browse([s.id for s in specs])
            for rule in rules:
                rule._no_reply_schedule(records.sudo(), message)

    def _no_reply_answered(self, records, index):
        """A reply arrived on ``records``: their waits end."""
        specs = index.rules.get("email_not_answered")
        if specs:
            self.env["crm.workflow.job"]._cancel_for_records(
                records._name,
                records.ids,
                self.env._("A reply was received."),
                rule_ids=[spec.id for spec in specs],
                job_type="rule",
            )


class MailMail(models.Model):
    _inherit = "mail.mail"

    @api.model_create_multi
    def create(self, vals_list):
        """An email sent from a record without a post on its chatter (a
        rule's email action, a template sent in batch) waits for a reply
        too."""
        mails = super().create(vals_list)
        indexes = self.env["crm.workflow.rule"]._rule_index()
        engine = self.env["crm.workflow.engine"]
        for mail in mails:
            index = indexes.get(mail.model)
            if (
                index
                and mail.res_id
                and mail.message_type == "email_outgoing"
                and (
                    "email_not_answered" in index.rules
                    or index.trigger_ids("email_not_answered")
                )
            ):
                records = self.env[mail.model].browse(mail.res_id)
                engine._no_reply_wait(records, mail.mail_message_id, index)
        return mails
