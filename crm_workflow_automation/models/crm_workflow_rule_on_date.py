# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Trigger type "Date/time reached": a job per record at its date (moved by
the offset, in working time if asked), never a table scan on a timer."""

from collections import defaultdict
from datetime import timedelta
from time import perf_counter

import pytz
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Datetime
from odoo.osv import expression

from .crm_workflow_rule import local_eta

# the rule's settings that reschedule its jobs from scratch
DATE_KEYS = {
    "active",
    "trigger",
    "date_field_id",
    "date_offset",
    "date_offset_unit",
    "date_recurrence",
    "model_id",
    "paused",
}


class CrmWorkflowRule(models.Model):
    _inherit = "crm.workflow.rule"

    trigger = fields.Selection(
        selection_add=[("on_date", "Date/time reached")],
        ondelete={"on_date": "cascade"},
    )

    @api.model
    def _trigger_events_on_date(self):
        # "date": the engine queues a job per record when the date field is
        # set or changes, and runs the rule when it is due
        return ("date",)

    @api.model
    def _trigger_event_labels_on_date(self):
        return {"date": self.env._("Date reached")}

    @api.model
    def _trigger_icon_on_date(self):
        return "fa-calendar"

    def _trigger_check_on_date(self):
        field = self.date_field_id
        if not field:
            raise ValidationError(
                self.env._(
                    "Rule “%(rule)s”: choose the date field whose date runs the rule.",
                    rule=self.name,
                )
            )
        if field.model_id != self.model_id or field.ttype not in (
            "date",
            "datetime",
        ):
            raise ValidationError(
                self.env._(
                    "Rule “%(rule)s”: “%(field)s” is not a date field of %(model)s.",
                    rule=self.name,
                    field=field.field_description,
                    model=self.model_id.name,
                )
            )

    def _trigger_saved_on_date(self, vals, was_active):
        if not DATE_KEYS & set(vals):
            return
        # Reactivation and new date settings reschedule from scratch.
        self._cancel_pending_jobs(
            self.env._("The rule's date settings changed."), job_type="rule"
        )
        if self.active and not self.paused:
            self._schedule_date_rule_existing(
                include_overdue=self.date_include_overdue
                and not was_active.get(self.id)
            )

    def _trigger_explain_on_date(self, explain, record, event, label):
        value = record[self.date_field_id.name]
        if not value:
            return "no", self.env._(
                "Trigger: %(trigger)s; the record has no %(field)s.",
                trigger=label,
                field=self.date_field_id.field_description,
            )
        job = self.env["crm.workflow.job"]._next_open(record, rule=self)
        if job:
            return "yes", self.env._(
                "Trigger: %(trigger)s; scheduled for %(date)s.",
                trigger=label,
                date=explain._when(job.eta),
            )
        return "info", self.env._(
            "Trigger: %(trigger)s; nothing is scheduled for this record (the date "
            "%(date)s would be %(eta)s).",
            trigger=label,
            date=value,
            eta=explain._when(self._date_rule_eta(value)),
        )

    def _trigger_test_on_date(self, wizard, records, lines):
        value = records.sudo()[self.date_field_id.name]
        eta = self._date_rule_eta(value)
        if eta is None:
            lines.append(
                wizard._line(
                    "skipped",
                    self.env._(
                        "The record has no %(field)s: the date rule would not "
                        "run for it.",
                        field=self.date_field_id.field_description,
                    ),
                )
            )
            return None
        lines.append(
            wizard._line(
                "info",
                self.env._(
                    "The date rule would run for this record on %(date)s.",
                    date=wizard._when(eta),
                ),
            )
        )
        return "date"

    def _trigger_preview_on_date(self, wizard, Model, company):
        """(due, records run at once): when the date rule would evaluate each
        record with a date within the horizon, as its jobs would be
        scheduled at activation."""
        if not self.date_field_id:
            return None
        fname = self.date_field_id.name
        now, end = wizard._horizon()
        records = Model.search(expression.AND([company, [(fname, "!=", False)]]))
        due, overdue = [], 0
        name = self.display_name
        for record, value in zip(records, records.mapped(fname), strict=True):
            eta = self._date_rule_eta(value, now)
            if eta is None:
                continue
            if eta < now:
                overdue += 1
                if self.date_include_overdue:
                    due.append((now, record, name))
            elif eta <= end:
                due.append((eta, record, name))
        return due, overdue if self.date_include_overdue else 0

    def _trigger_job_eta_on_date(self, job, record, now):
        if not self.date_field_id:
            return None
        return self._date_rule_eta(record[self.date_field_id.name], now)

    def _date_rule_tz(self):
        tz = self.user_id.tz or self.env.user.tz or "UTC"
        try:
            return pytz.timezone(tz)
        except pytz.UnknownTimeZoneError:
            return pytz.utc

    def _date_rule_eta(self, value, now=None):
        """When the rule runs for a record whose date field holds ``value``:
        the date shifted by the offset, moved to the next occurrence for monthly
        and yearly rules. Dates (not datetimes) count from midnight in the
        responsible's time zone."""
        self.ensure_one()
        if not value:
            return None
        tz = self._date_rule_tz()
        offset, unit = self.date_offset, self.date_offset_unit or "days"
        calendar = self._working_calendar()
        only = self.working_hours_only
        eta = local_eta(
            value, offset, unit, tz, calendar=calendar, working_hours_only=only
        )
        now = now or Datetime.now()
        step = {"monthly": "months", "yearly": "years"}.get(self.date_recurrence)
        periods = 0
        while step and eta < now - timedelta(seconds=1):
            # next occurrence at or after now, counted from the original date
            periods += 1
            eta = local_eta(
                value,
                offset,
                unit,
                tz,
                shift=relativedelta(**{step: periods}),
                calendar=calendar,
                working_hours_only=only,
            )
        return eta

    def _working_calendar(self):
        """The ``resource.calendar`` of the offset, when it needs one."""
        self.ensure_one()
        return self._working_calendar_of(
            self.date_offset_unit, self.user_id, self.company_id
        )

    def _schedule_date_rule(
        self, records, include_overdue=False, cancel_previous=True, now=None
    ):
        """(Re)schedule this date rule for ``records``: cancel their pending
        date jobs and enqueue one at the new date. Past dates are skipped unless
        ``include_overdue`` (then they run at once)."""
        self.ensure_one()
        Job = self.env["crm.workflow.job"]
        if cancel_previous:
            Job._cancel_for_records(
                self.model_name,
                records.ids,
                self.env._("The date changed; the job was rescheduled."),
                rule_ids=self.ids,
                job_type="rule",
            )
        fname = self.date_field_id.name
        now = now or Datetime.now()
        values = []
        for record, value in zip(records, records.mapped(fname), strict=True):
            eta = self._date_rule_eta(value, now)
            if eta is None:
                continue
            if eta < now:
                if not include_overdue:
                    continue
                eta = now
            values.append(
                {
                    "job_type": "rule",
                    "rule_id": self.id,
                    "res_model": self.model_name,
                    "res_id": record.id,
                    "eta": eta,
                    "idempotency_key": f"date:{self.id}:{record.id}:{eta.isoformat()}",
                }
            )
        return Job._enqueue(values)

    def _schedule_date_rule_existing(self, include_overdue=None):
        """Schedule the records that already exist, once, when a date rule is
        created or activated: one search, then one job per record with a date."""
        for rule in self:
            if not rule.date_field_id or rule.paused:
                continue
            if include_overdue is None:
                overdue = rule.date_include_overdue
            else:
                overdue = include_overdue
            Model = self.env[rule.model_name].with_context(active_test=True).sudo()
            records = Model.search([(rule.date_field_id.name, "!=", False)])
            if rule.company_id and "company_id" in Model._fields:
                records = records.filtered_domain(
                    [("company_id", "in", (False, rule.company_id.id))]
                )
            rule._schedule_date_rule(
                records, include_overdue=overdue, cancel_previous=False
            )

    def _trigger_run_jobs_on_date(self, jobs, outcome):
        """The date is due for these records: check that the date still says
        so, run the rule, and schedule the next occurrence."""
        rule = self
        Model = jobs._job_model()
        jobs = jobs._drop_gone(outcome)
        fname = rule.date_field_id.name
        now = Datetime.now()
        records = Model.sudo().browse(jobs.mapped("res_id"))
        values = (
            dict(zip(records._ids, records.mapped(fname), strict=True)) if fname else {}
        )
        due = jobs.browse()
        for job in jobs:
            eta = rule._date_rule_eta(values.get(job.res_id), job.eta)
            if eta is None:
                outcome.cancel(job, self.env._("The date field was emptied."))
            elif (eta - job.eta).total_seconds() > 60 and rule._working_calendar():
                # the working schedule changed since the job was queued (a
                # new holiday) and the daily check has not moved it yet
                rule._schedule_date_rule(
                    records.browse(job.res_id), cancel_previous=False
                )
                outcome.cancel(
                    job,
                    self.env._(
                        "The working schedule changed; the job was rescheduled."
                    ),
                )
            elif (eta - job.eta).total_seconds() > 60:
                # a later date has its own job; an earlier one is due anyway
                # (an overdue date run at once has its job after its date)
                outcome.cancel(
                    job, self.env._("The date changed; the job was rescheduled.")
                )
            else:
                due |= job
        if not due:
            return
        engine = self.env["crm.workflow.engine"].with_env(Model.env)
        started = perf_counter()
        done, failures = engine._run_rule_now(
            rule.with_env(Model.env).sudo(), Model.browse(due.mapped("res_id"))
        )
        outcome.record(due, done, failures, perf_counter() - started, logged=True)
        if rule.date_recurrence in ("monthly", "yearly"):
            # the next occurrence comes after the one that ran, also when it ran
            # before its time (Run now): counted from the clock, that occurrence
            # would be "next" again and, its key taken, the recurrence would end
            by_after = defaultdict(list)
            for job in due:
                by_after[max(now, job.eta) + timedelta(minutes=1)].append(job.res_id)
            for after, ids in by_after.items():
                rule._schedule_date_rule(
                    records.browse(ids), cancel_previous=False, now=after
                )
