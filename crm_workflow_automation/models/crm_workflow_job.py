# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The durable queue: every delayed or outgoing effect is a row here, claimed
by the runner crons with ``FOR UPDATE SKIP LOCKED`` and run once, at its time."""

import email.utils
import hashlib
import hmac
import json
import logging
import random
import socket
import time
import uuid
from collections import defaultdict
from datetime import timedelta
from urllib.parse import urlsplit

import psycopg2
import requests
import urllib3
from psycopg2 import errorcodes

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.fields import Datetime

from ..exceptions import PermanentJobError, RetryableJobError
from .crm_workflow_engine import Run
from .webhook_transport import blocked_address, guarded_session, is_public_address

_logger = logging.getLogger(__name__)

JOB_STATES = [
    ("pending", "Pending"),
    ("running", "Running"),
    ("done", "Done"),
    ("failed", "Failed, will retry"),
    ("dead", "Dead"),
    ("cancelled", "Cancelled"),
]
OPEN_STATES = ("pending", "failed")
# About 1 min, 5 min, 30 min, 2 h and 12 h between attempts, then dead.
BACKOFF = (60, 300, 1800, 7200, 43200)
DEFAULT_MAX_ATTEMPTS = len(BACKOFF) + 1
BATCH_SIZE = 500
NOW = "(now() at time zone 'UTC')"
RESPONSE_EXCERPT = 1000
PG_RETRYABLE = {
    errorcodes.SERIALIZATION_FAILURE,
    errorcodes.DEADLOCK_DETECTED,
    errorcodes.LOCK_NOT_AVAILABLE,
}
JOB_COLUMNS = (
    ("job_type", "varchar", "action"),
    ("rule_id", "int4", None),
    ("action_id", "int4", None),
    ("condition_id", "int4", None),
    ("res_model", "varchar", None),
    ("res_id", "int4", None),
    ("eta", "timestamp", None),
    ("state", "varchar", "pending"),
    ("attempts", "int4", 0),
    ("max_attempts", "int4", DEFAULT_MAX_ATTEMPTS),
    ("payload", "jsonb", None),
    ("idempotency_key", "varchar", None),
    ("event_uid", "varchar", None),
    ("user_id", "int4", None),
    ("trigger_time", "timestamp", None),
    ("check_record", "bool", True),
    ("company_id", "int4", None),
)


def backoff_seconds(attempt):
    """Delay before the next attempt after ``attempt`` failed, with ±20% jitter."""
    base = BACKOFF[min(max(attempt, 1), len(BACKOFF)) - 1]
    return int(base * random.uniform(0.8, 1.2))


def retry_after_seconds(value):
    """Seconds in a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment is None:
        return None
    return max(0, int(moment.timestamp() - time.time()))


def is_retryable(error):
    if isinstance(error, RetryableJobError):
        return True
    if isinstance(
        error, requests.exceptions.Timeout | requests.exceptions.ConnectionError
    ):
        return True
    if isinstance(error, psycopg2.OperationalError):
        return getattr(error, "pgcode", None) in PG_RETRYABLE or error.pgcode is None
    return False


class CrmWorkflowJob(models.Model):
    _name = "crm.workflow.job"
    _description = "Workflow Scheduled Job"
    _inherit = ["crm.workflow.record.access.mixin"]
    # Jobs are inserted and updated in bulk by SQL: no create_uid/write_uid
    # whose foreign keys would be checked for each row.
    _log_access = False
    _order = "eta desc, id desc"
    _rec_name = "display_name"

    job_type = fields.Selection(
        [("action", "Scheduled action"), ("rule", "Date rule")],
        string="Kind",
        required=True,
        default="action",
        readonly=True,
    )
    rule_id = fields.Many2one(
        "crm.workflow.rule",
        string="Rule",
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    action_id = fields.Many2one(
        "crm.workflow.action",
        string="Action",
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    condition_id = fields.Many2one(
        "crm.workflow.condition", string="Condition", ondelete="set null", readonly=True
    )
    action_type = fields.Selection(
        related="action_id.action_type", string="Action type"
    )
    res_model = fields.Char(string="Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Record ID", model_field="res_model", readonly=True
    )
    eta = fields.Datetime(string="Due", required=True, readonly=True)
    state = fields.Selection(
        JOB_STATES, string="Status", required=True, default="pending", readonly=True
    )
    attempts = fields.Integer(readonly=True)
    max_attempts = fields.Integer(
        string="Maximum attempts", default=DEFAULT_MAX_ATTEMPTS, readonly=True
    )
    last_error = fields.Text(string="Last error", readonly=True)
    cancel_reason = fields.Text(string="Reason", readonly=True)
    payload = fields.Json(readonly=True)
    payload_text = fields.Text(
        compute="_compute_payload_text", string="Payload (formatted)"
    )
    idempotency_key = fields.Char(
        string="Idempotency key", required=True, readonly=True, copy=False
    )
    event_uid = fields.Char(string="Event ID", readonly=True, copy=False)
    user_id = fields.Many2one("res.users", string="Run as", readonly=True)
    trigger_time = fields.Datetime(string="Triggered on", readonly=True)
    check_record = fields.Boolean(
        string="Check the record", default=True, readonly=True
    )
    claimed_at = fields.Datetime(string="Claimed on", readonly=True)
    done_at = fields.Datetime(string="Finished on", readonly=True)
    attempt_ids = fields.One2many(
        "crm.workflow.job.attempt", "job_id", string="Delivery attempts", readonly=True
    )
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    create_date = fields.Datetime(
        string="Created on", readonly=True, default=lambda self: fields.Datetime.now()
    )
    write_date = fields.Datetime(
        string="Last updated on",
        readonly=True,
        default=lambda self: fields.Datetime.now(),
    )

    _sql_constraints = [
        (
            "idempotency_key_uniq",
            "unique(idempotency_key)",
            "The same event never enqueues the same action twice.",
        ),
    ]

    def init(self):
        # The runner's tick: due open jobs, oldest first, found by one index scan.
        tools.create_index(
            self.env.cr,
            "crm_workflow_job_due_idx",
            self._table,
            ["eta", "id"],
            where="state IN ('pending', 'failed')",
        )
        tools.create_index(
            self.env.cr,
            "crm_workflow_job_running_idx",
            self._table,
            ["claimed_at"],
            where="state = 'running'",
        )
        tools.create_index(
            self.env.cr,
            "crm_workflow_job_record_idx",
            self._table,
            ["res_model", "res_id"],
            where="state IN ('pending', 'failed')",
        )

    # ------------------------------------------------------------------
    # computes
    # ------------------------------------------------------------------

    @api.depends("rule_id", "action_id", "record_name")
    def _compute_display_name(self):
        for job in self:
            what = job.action_id.name or job.rule_id.name or ""
            job.display_name = f"{what} / {job.record_name}"

    @api.depends("payload")
    def _compute_payload_text(self):
        for job in self:
            job.payload_text = (
                json.dumps(job.payload, indent=2, sort_keys=True, ensure_ascii=False)
                if job.payload
                else False
            )

    # ------------------------------------------------------------------
    # buttons
    # ------------------------------------------------------------------

    def action_run_now(self):
        """Run these jobs now, whatever their due time (open jobs only)."""
        jobs = self.filtered(lambda j: j.state in OPEN_STATES)
        if not jobs:
            raise UserError(self.env._("Only pending or failed jobs can be run now."))
        jobs._check_manager()
        held = jobs.sudo().filtered(lambda j: j.rule_id.paused or not j.rule_id.active)
        if held:
            raise UserError(
                self.env._(
                    "The rule “%(rule)s” is paused or inactive: resume or activate it "
                    "first.",
                    rule=held[0].rule_id.name,
                )
            )
        jobs.sudo()._claim_and_run(jobs.ids)
        return True

    def action_retry(self):
        """Queue failed, dead or cancelled jobs again, due now."""
        jobs = self.filtered(lambda j: j.state in ("failed", "dead", "cancelled"))
        if not jobs:
            raise UserError(
                self.env._("Only failed, dead or cancelled jobs can be retried.")
            )
        jobs._check_manager()
        now = Datetime.now()
        for job in jobs.sudo():
            job.write(
                {
                    "state": "pending",
                    "eta": now,
                    "cancel_reason": False,
                    "max_attempts": max(job.max_attempts, job.attempts + 1),
                }
            )
        self._wake_runners()
        return True

    def action_cancel(self):
        jobs = self.filtered(lambda j: j.state in OPEN_STATES)
        if not jobs:
            raise UserError(self.env._("Only pending or failed jobs can be cancelled."))
        jobs._check_manager()
        jobs.sudo().write(
            {
                "state": "cancelled",
                "cancel_reason": self.env._(
                    "Cancelled by %(user)s.", user=self.env.user.name
                ),
            }
        )
        return True

    def action_replay(self):
        """Send a done webhook again, with the same event id and body."""
        jobs = self.filtered(
            lambda j: j.state == "done" and j.action_id.action_type == "webhook"
        )
        if not jobs:
            raise UserError(self.env._("Only delivered webhooks can be replayed."))
        jobs._check_manager()
        for job in jobs.sudo():
            job.write(
                {
                    "state": "pending",
                    "eta": Datetime.now(),
                    "max_attempts": job.attempts + DEFAULT_MAX_ATTEMPTS,
                }
            )
        jobs.sudo()._claim_and_run(jobs.ids)
        return True

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }

    def _check_manager(self):
        if not self.env.user.has_group(
            "crm_workflow_automation.group_workflow_manager"
        ):
            raise UserError(
                self.env._("Only Workflow Managers can run, retry or cancel jobs.")
            )

    # ------------------------------------------------------------------
    # enqueue
    # ------------------------------------------------------------------

    @api.model
    def _prepare_action_jobs(self, action, records, run):
        """Job values for running ``action`` on ``records`` later: at its
        delay for a scheduled action, at once for an instant one that must
        leave the transaction first (a webhook)."""
        event = run.event
        now = Datetime.now()
        trigger_time = event.time if event is not None else now
        if action.timing == "scheduled":
            etas = action._compute_etas(records, trigger_time)
        else:
            etas = dict.fromkeys(records.ids, now)
        payloads = action._prepare_job_payloads(records.browse(list(etas)), run)
        event_key = (
            event.uid
            if event is not None
            else (run.job.event_uid if run.job else uuid.uuid4().hex)
        )
        check_record = not (event is not None and event.kind == "unlink")
        rule = action.rule_id
        values = []
        for rid, eta in etas.items():
            values.append(
                {
                    "job_type": "action",
                    "rule_id": rule.id,
                    "action_id": action.id,
                    "condition_id": run.condition.id if run.condition else None,
                    "res_model": records._name,
                    "res_id": rid,
                    "eta": eta,
                    "payload": payloads.get(rid),
                    "idempotency_key": f"{action.id}:{records._name}:{rid}:{event_key}",
                    "event_uid": uuid.uuid4().hex,
                    "trigger_time": trigger_time,
                    "check_record": check_record,
                }
            )
        return values

    @api.model
    def _enqueue(self, values_list):
        """Insert jobs with one statement (the same idempotency key never
        enqueues twice) and wake the runners at the earliest new due time.
        Returns the ids of the jobs created."""
        if not values_list:
            return []
        uid = self.env.uid
        companies = {}
        columns = []
        for name, __, default in JOB_COLUMNS:
            column = []
            for vals in values_list:
                value = vals.get(name, default)
                if name == "user_id" and value is None:
                    value = uid
                elif name == "company_id" and value is None:
                    rule_id = vals.get("rule_id")
                    if rule_id not in companies:
                        companies[rule_id] = (
                            self.env["crm.workflow.rule"]
                            .sudo()
                            .browse(rule_id)
                            .company_id.id
                            or None
                        )
                    value = companies[rule_id]
                elif name == "payload" and value is not None:
                    value = json.dumps(value)
                elif name == "check_record" and value is None:
                    value = True
                column.append(value)
            columns.append(column)
        names = ", ".join(name for name, __, __ in JOB_COLUMNS)
        unnest = ", ".join(f"%s::{kind}[]" for __, kind, __ in JOB_COLUMNS)
        self.flush_model()
        self.env.cr.execute(
            f"""
            INSERT INTO crm_workflow_job
                   ({names}, create_date, write_date)
            SELECT *, now() at time zone 'UTC', now() at time zone 'UTC'
              FROM unnest({unnest})
            ON CONFLICT (idempotency_key) DO NOTHING
            RETURNING id
            """,
            columns,
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        if ids:
            self._wake_runners([vals["eta"] for vals in values_list])
        return ids

    @api.model
    def _wake_runners(self, etas=None):
        """Wake the main runner at the earliest of ``etas`` (now by default),
        with ``ir.cron._trigger``: a job due in 10 minutes runs within a minute
        of its time, not at the next poll."""
        cron = self.env.ref(
            "crm_workflow_automation.ir_cron_run_due_jobs", raise_if_not_found=False
        )
        if not cron:
            return
        now = Datetime.now()
        at = min(etas) if etas else now
        at = max(at, now)
        self.env.cr.execute(
            "SELECT 1 FROM ir_cron_trigger"
            " WHERE cron_id = %s AND call_at <= %s AND call_at >= %s LIMIT 1",
            [cron.id, at, now - timedelta(minutes=1)],
        )
        if not self.env.cr.fetchone():
            cron.sudo()._trigger(at=at)

    # ------------------------------------------------------------------
    # cancel
    # ------------------------------------------------------------------

    @api.model
    def _cancel_where(
        self, reason, rule_ids=None, job_type=None, res_model=None, res_ids=None
    ):
        clauses = ["state IN ('pending', 'failed')"]
        params = []
        if rule_ids is not None:
            clauses.append("rule_id = ANY(%s)")
            params.append(list(rule_ids))
        if job_type:
            clauses.append("job_type = %s")
            params.append(job_type)
        if res_model is not None:
            clauses.append("res_model = %s AND res_id = ANY(%s) AND check_record")
            params += [res_model, list(res_ids)]
        self.flush_model()
        self.env.cr.execute(
            f"""UPDATE crm_workflow_job SET state = 'cancelled', cancel_reason = %s,
                       write_date = now() at time zone 'UTC'
                 WHERE {" AND ".join(clauses)} RETURNING id""",
            [reason] + params,
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        if ids:
            self.invalidate_model(["state", "cancel_reason"])
        return ids

    @api.model
    def _cancel_for_records(
        self, res_model, res_ids, reason, rule_ids=None, job_type=None
    ):
        """Cancel the open jobs of these records (deleted, or rescheduled)."""
        if not res_ids:
            return []
        index = self.env["crm.workflow.rule"]._rule_index().get(res_model)
        if not index:
            return []  # no rule on this model ever: no job to look for
        return self._cancel_where(
            reason,
            rule_ids=rule_ids,
            job_type=job_type,
            res_model=res_model,
            res_ids=res_ids,
        )

    # ------------------------------------------------------------------
    # the runner
    # ------------------------------------------------------------------

    @api.model
    def _cron_run_due_jobs(self, runner=1):
        """Entry point of the runner crons (several may run at once)."""
        return self._run_due_jobs(automatic=True, runner=runner)

    @api.model
    def _stale_before(self, now):
        """A ``running`` job claimed before this time lost its worker."""
        timeout = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("crm_workflow_automation.job_timeout", 1800)
        )
        return now - timedelta(seconds=timeout)

    @api.model
    def _claim(self, limit=BATCH_SIZE, now=None, ids=None):
        """Claim up to ``limit`` due jobs for this transaction: one UPDATE whose
        sub-select locks the rows with SKIP LOCKED, so that concurrent runners
        never take the same job. ``running`` jobs older than the timeout (their
        worker died) are due again."""
        now = now or Datetime.now()
        stale = self._stale_before(now)
        # the claim reads the rules' state: a rule paused or deactivated in this
        # transaction must already hold back its jobs
        self.env["crm.workflow.rule"].flush_model(["active", "paused"])
        if ids is not None:
            due = "j.id = ANY(%(ids)s) AND j.state IN ('pending', 'failed')"
        else:
            due = "j.state IN ('pending', 'failed') AND j.eta <= %(now)s"
        self.flush_model()
        # One statement, two index scans: due jobs in due order (partial index
        # on eta), and jobs whose worker died (partial index on claimed_at).
        self.env.cr.execute(
            f"""
            WITH due AS (
                SELECT j.id FROM crm_workflow_job j
                 WHERE {due}
                   AND NOT EXISTS (
                       SELECT 1 FROM crm_workflow_rule r
                        WHERE r.id = j.rule_id AND (r.paused OR NOT r.active))
                 ORDER BY j.eta, j.id
                 LIMIT %(limit)s
                   FOR UPDATE SKIP LOCKED
            ), stale AS (
                SELECT j.id FROM crm_workflow_job j
                 WHERE j.state = 'running' AND j.claimed_at < %(stale)s
                   AND %(recover)s
                 LIMIT %(limit)s
                   FOR UPDATE SKIP LOCKED
            )
            UPDATE crm_workflow_job AS upd
               SET state = 'running', claimed_at = %(now)s, attempts = upd.attempts + 1,
                   write_date = %(now)s
             WHERE upd.id IN (SELECT id FROM due UNION ALL SELECT id FROM stale)
            RETURNING upd.id
            """,
            {
                "now": now,
                "stale": stale,
                "limit": limit,
                "ids": list(ids or []),
                "recover": ids is None,
            },
        )
        claimed = [row[0] for row in self.env.cr.fetchall()]
        if claimed:
            self.invalidate_model(["state", "claimed_at", "attempts"])
        return claimed

    @api.model
    def _anything_due(self, now=None):
        """Whether a claim could find work: the earliest pending job is due, or
        a running job is stale. Each ``min()`` reads the first entry of a partial
        index, so the answer costs one index probe whatever the planner's
        statistics say: with many done jobs in the past and pending ones in the
        future, PostgreSQL takes ``eta <= now`` for a wide range and may read
        every pending job to answer the claim itself."""
        now = now or Datetime.now()
        self.flush_model(["state", "eta", "claimed_at"])
        self.env.cr.execute(
            """
            SELECT COALESCE((SELECT min(eta) FROM crm_workflow_job
                              WHERE state IN ('pending', 'failed')) <= %(now)s, false)
                OR COALESCE((SELECT min(claimed_at) FROM crm_workflow_job
                              WHERE state = 'running') < %(stale)s, false)
            """,
            {"now": now, "stale": self._stale_before(now)},
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _run_due_jobs(
        self, automatic=False, runner=1, limit=BATCH_SIZE, now=None, time_budget=None
    ):
        """Claim and run due jobs in batches until none is due (or the time
        budget is spent). With ``automatic`` (the cron), each claim and each
        batch is committed, and progress is reported to ``ir.cron``. Returns the
        number of jobs run."""
        budget = time_budget or self._time_budget()
        started = time.monotonic()
        done = 0
        cr = self.env.cr
        while True:
            if automatic:
                cr.commit()
                # A claim in READ COMMITTED skips rows that another runner locked
                # or just committed, instead of failing to serialize.
                cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            try:
                # the probe only while idle: when draining, the claim finds the work
                idle = not done and not self._anything_due(now)
                ids = [] if idle else self._claim(limit=limit, now=now)
            except psycopg2.OperationalError as e:
                if not automatic or e.pgcode not in PG_RETRYABLE:
                    raise
                cr.rollback()
                continue
            if automatic:
                cr.commit()  # the claim is visible (state running) before the work
            if not ids:
                break
            self.browse(ids)._run_claimed()
            done += len(ids)
            if automatic:
                cr.commit()
            if time.monotonic() - started > budget:
                break
        if not done:
            return 0  # an empty tick is the probe query alone
        remaining = self._due_count(now)
        if automatic:
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
            if remaining > limit:
                self._wake_siblings(runner)
            self._schedule_next_wakeup()
        return done

    @api.model
    def _time_budget(self):
        return int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("crm_workflow_automation.runner_time_budget", 240)
        )

    @api.model
    def _due_count(self, now=None):
        self.env.cr.execute(
            "SELECT count(*) FROM crm_workflow_job"
            " WHERE state IN ('pending', 'failed') AND eta <= %s",
            [now or Datetime.now()],
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _schedule_next_wakeup(self):
        """After a run, make sure the runner wakes for the next job due."""
        self.env.cr.execute(
            "SELECT min(eta) FROM crm_workflow_job WHERE state IN ('pending', 'failed')"
        )
        next_eta = self.env.cr.fetchone()[0]
        if next_eta:
            self._wake_runners([next_eta])

    @api.model
    def _runner_crons(self):
        return (
            self.env["ir.cron"]
            .sudo()
            .search([("code", "like", "model._cron_run_due_jobs(")], order="id")
        )

    @api.model
    def _wake_siblings(self, runner):
        """A backlog: wake the other runner crons, which claim with SKIP LOCKED."""
        for cron in self._runner_crons():
            if cron.active and f"runner={runner})" not in (cron.code or ""):
                cron._trigger()

    def _claim_and_run(self, ids):
        claimed = self._claim(ids=ids)
        if claimed:
            self.browse(claimed)._run_claimed()
        return claimed

    # ------------------------------------------------------------------
    # running claimed jobs
    # ------------------------------------------------------------------

    def _run_claimed(self):
        """Run claimed jobs: grouped by (kind, rule, action, user) so that an
        action runs once per group; webhooks one by one, each delivery its own."""
        groups = defaultdict(list)
        for job in self.sudo():
            action = job.action_id
            if job.job_type == "action" and action and not action._job_batchable():
                key = ("single", job.id)
            else:
                key = (
                    job.job_type,
                    job.rule_id.id,
                    action.id,
                    job.condition_id.id,
                    job.user_id.id,
                )
            groups[key].append(job)
        outcome = _Outcome(self.env)
        for jobs in groups.values():
            jobs = self.browse([j.id for j in jobs]).sudo()
            try:
                jobs._run_group(outcome)
            except Exception as e:
                _logger.exception("workflow job group %s failed", jobs.ids)
                outcome.failed(jobs, e)
        outcome.flush()

    def _run_group(self, outcome):
        first = self[:1]
        rule = first.rule_id
        user = first.user_id or self.env.ref("base.user_root")
        if not rule or (first.job_type == "action" and not first.action_id):
            outcome.cancel(self, self.env._("The rule or the action was deleted."))
            return
        env = self.env(user=user.id, su=False)
        Model = env[first.res_model]
        jobs_by_record = defaultdict(list)
        for job in self:
            jobs_by_record[job.res_id].append(job)
        checked = self.filtered("check_record")
        unchecked = self - checked
        live_ids = set(Model.sudo().browse(checked.mapped("res_id")).exists()._ids)
        gone = checked.filtered(lambda j: j.res_id not in live_ids)
        if gone:
            outcome.cancel(gone, self.env._("The record no longer exists."))
        jobs = (checked - gone) | unchecked
        if not jobs:
            return
        if first.job_type == "rule":
            jobs._run_rule_jobs(rule, Model, outcome)
        else:
            jobs._run_action_jobs(rule, Model, outcome)

    def _recheck(self, rule, Model, outcome):
        """Jobs whose record still meets the criteria of their condition."""
        condition = self[:1].condition_id
        checked = self.filtered("check_record")
        if not condition or not checked:
            return self
        engine = self.env["crm.workflow.engine"]
        domain = condition._eval_domain() if not condition.is_fallback else []
        if condition.is_fallback:
            # the fallback runs for records that meet no other condition
            others = rule.condition_ids.filtered(lambda c: not c.is_fallback)
            ids = set(checked.mapped("res_id"))
            for other in others:
                ids -= engine._search_ids(Model._name, ids, other._eval_domain())
            ok = ids
        else:
            ok = engine._search_ids(
                Model._name,
                checked.mapped("res_id"),
                domain + rule._company_domain(Model),
            )
        stale = checked.filtered(lambda j: j.res_id not in ok)
        if stale:
            outcome.cancel(
                stale, self.env._("The record no longer meets the criteria.")
            )
        return self - stale

    def _run_action_jobs(self, rule, Model, outcome):
        action = self[:1].action_id
        jobs = self
        if action.recheck_condition:
            jobs = jobs._recheck(rule, Model, outcome)
        if action.timing == "scheduled" and action.delay_anchor == "date_field":
            jobs = jobs._follow_date(action, Model, outcome)
        if not jobs:
            return
        engine = self.env["crm.workflow.engine"]
        records = Model.browse(jobs.mapped("res_id"))
        if len(jobs) == 1 or not action._job_batchable():
            job = jobs
            run = Run(rule, job.condition_id, job=job)

            def func(batch):
                action._execute(batch, run)

            started = time.perf_counter()
            done, failures = engine._run_isolated(records, func)
            outcome.attempts(job, run.attempts)
            outcome.record(jobs, done, failures, time.perf_counter() - started)
            return
        run = Run(rule, self[:1].condition_id)
        started = time.perf_counter()
        done, failures = engine._run_isolated(
            records, lambda batch: action._execute(batch, run)
        )
        outcome.record(jobs, done, failures, time.perf_counter() - started)

    def _follow_date(self, action, Model, outcome):
        """A date-anchored job follows its date: postponed when the date moved
        later, cancelled when it was emptied."""
        records = Model.sudo().browse(self.mapped("res_id"))
        etas = action._compute_etas(records, Datetime.now())
        keep = self.browse()
        for job in self:
            eta = etas.get(job.res_id)
            if eta is None:
                outcome.cancel(job, self.env._("The date field was emptied."))
            elif eta > job.eta + timedelta(minutes=1):
                outcome.postpone(job, eta)
            else:
                keep |= job
        return keep

    def _run_rule_jobs(self, rule, Model, outcome):
        """A date rule is due for these records: check that the date still
        says so, run the rule, and schedule the next occurrence."""
        fname = rule.date_field_id.name
        now = Datetime.now()
        records = Model.sudo().browse(self.mapped("res_id"))
        values = (
            dict(zip(records._ids, records.mapped(fname), strict=True)) if fname else {}
        )
        due = self.browse()
        for job in self:
            eta = rule._date_rule_eta(values.get(job.res_id), job.eta)
            if eta is None:
                outcome.cancel(job, self.env._("The date field was emptied."))
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
        started = time.perf_counter()
        done, failures = engine._run_rule_now(
            rule.with_env(Model.env).sudo(), Model.browse(due.mapped("res_id"))
        )
        outcome.record(due, done, failures, time.perf_counter() - started, logged=True)
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

    # ------------------------------------------------------------------
    # webhook delivery
    # ------------------------------------------------------------------

    def _webhook_body(self):
        body = dict(self.payload or {}, event_id=self.event_uid)
        return json.dumps(
            body, sort_keys=True, separators=(",", ":"), default=str
        ).encode()

    def _send_webhook(self, attempts=None):
        """One delivery attempt of a webhook job. The attempt is appended to
        ``attempts`` (stored by the runner after the job's savepoint, whatever
        happened) or stored at once."""
        self.ensure_one()
        action = self.action_id.sudo()
        url = action.webhook_url.strip()
        method = action.webhook_method or "POST"
        body = self._webhook_body() if method != "GET" else b""
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Odoo-CRM-Workflow-Automation/18.0",
            "X-Webhook-Id": self.event_uid,
            "X-Webhook-Timestamp": timestamp,
        }
        if action.webhook_headers:
            headers.update(json.loads(action.webhook_headers))
        if action.webhook_secret:
            signature = hmac.new(
                action.webhook_secret.encode(), body, hashlib.sha256
            ).hexdigest()
            headers[action.webhook_signature_header or "X-Signature-256"] = (
                f"sha256={signature}"
            )
        timeout = float(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("crm_workflow_automation.webhook_timeout", 10)
        )
        host = urlsplit(url).hostname or ""
        allowed = action._webhook_host_allowed(host)
        attempt = {
            "job_id": self.id,
            "attempt_no": self.attempts,
            "started_at": Datetime.now(),
            "request_url": url,
            "request_method": method,
        }
        started = time.perf_counter()
        run_attempts = attempts
        if not allowed:
            self._check_send_address(host, attempt, run_attempts)
        try:
            with guarded_session(allow_internal=allowed) as session:
                response = session.request(
                    method,
                    url,
                    data=body or None,
                    headers=headers,
                    timeout=timeout,
                    allow_redirects=False,
                    stream=True,
                )
                try:
                    excerpt = (
                        response.raw.read(RESPONSE_EXCERPT, decode_content=True) or b""
                    )
                # urllib3 raises its own errors while the body is read: map them
                # to requests' so that a stalled or cut answer is retried too
                except urllib3.exceptions.ReadTimeoutError as e:
                    raise requests.exceptions.ReadTimeout(e) from e
                except urllib3.exceptions.ProtocolError as e:
                    raise requests.exceptions.ConnectionError(e) from e
                finally:
                    response.close()
        except requests.exceptions.Timeout as e:
            attempt.update(
                duration=time.perf_counter() - started,
                error=self.env._("Timed out after %(seconds)s s.", seconds=timeout),
            )
            self._append_attempt(attempt, run_attempts)
            raise RetryableJobError(attempt["error"]) from e
        except requests.exceptions.ConnectionError as e:
            address = blocked_address(e)
            if address:
                message = self.env._(
                    "Refused: the host resolved to the internal address %(address)s.",
                    address=address,
                )
                attempt.update(duration=time.perf_counter() - started, error=message)
                self._append_attempt(attempt, run_attempts)
                raise PermanentJobError(message) from e
            message = self.env._("Receiver unreachable: %(error)s", error=str(e)[:300])
            attempt.update(duration=time.perf_counter() - started, error=message)
            self._append_attempt(attempt, run_attempts)
            raise RetryableJobError(message) from e
        status = response.status_code
        attempt.update(
            duration=time.perf_counter() - started,
            status_code=status,
            response_excerpt=excerpt.decode(errors="replace"),
        )
        if 200 <= status < 300:
            self._append_attempt(attempt, run_attempts)
            return
        reason = self.env._("The receiver answered HTTP %(status)s.", status=status)
        attempt["error"] = reason
        self._append_attempt(attempt, run_attempts)
        if status in (408, 429) or status >= 500:
            retry_after = None
            if status in (429, 503):
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            raise RetryableJobError(reason, retry_after=retry_after)
        raise PermanentJobError(reason)

    def _check_send_address(self, host, attempt, run_attempts):
        """The SSRF guard again at send time: DNS may have changed since the
        action was saved."""
        try:
            infos = socket.getaddrinfo(host, None)
        except (OSError, UnicodeError) as e:
            message = self.env._("The host “%(host)s” cannot be resolved.", host=host)
            attempt["error"] = message
            self._append_attempt(attempt, run_attempts)
            raise RetryableJobError(message) from e
        for info in infos:
            if not is_public_address(info[4][0]):
                message = self.env._(
                    "Refused: the host resolved to the internal address %(address)s.",
                    address=info[4][0],
                )
                attempt["error"] = message
                self._append_attempt(attempt, run_attempts)
                raise PermanentJobError(message)

    def _append_attempt(self, attempt, run_attempts):
        if run_attempts is not None:
            run_attempts.append(attempt)
        else:
            self.env["crm.workflow.job.attempt"].sudo().create(attempt)


class _Outcome:
    """What a runner batch did to its jobs, written in a few bulk statements
    at the end of the batch (and the run log rows that go with it)."""

    def __init__(self, env):
        self.env = env
        self.done = []
        self.retry = []  # (job, eta, error)
        self.dead = []  # (job, error)
        self.cancelled = []  # (job, reason)
        self.postponed = []  # (job, eta)
        self.log = []
        self.attempt_rows = []
        self.rule_results = defaultdict(list)  # rule id -> [True/False ...]

    def cancel(self, jobs, reason):
        for job in jobs:
            self.cancelled.append((job, reason))

    def postpone(self, job, eta):
        self.postponed.append((job, eta))

    def attempts(self, job, attempts):
        self.attempt_rows.extend(attempts)

    def failed(self, jobs, error):
        self.record(jobs, [], {job.res_id: error for job in jobs}, 0.0)

    def record(self, jobs, done_ids, failures, elapsed, logged=False):
        engine = self.env["crm.workflow.engine"]
        per_record = elapsed / max(len(jobs), 1)
        done_ids = set(done_ids)
        for job in jobs:
            if job.res_id in done_ids and job.res_id not in failures:
                self.done.append(job)
                self.rule_results[job.rule_id.id].append(True)
                state, error = "done", None
            else:
                error = failures.get(job.res_id)
                self.rule_results[job.rule_id.id].append(False)
                message = (
                    str(error) if error is not None else self.env._("Unknown error")
                )
                if is_retryable(error) and job.attempts < job.max_attempts:
                    delay = getattr(error, "retry_after", None)
                    if delay is None:
                        delay = backoff_seconds(job.attempts)
                    self.retry.append(
                        (job, Datetime.now() + timedelta(seconds=delay), message)
                    )
                else:
                    self.dead.append((job, message))
                state, error = "failed", message
            if not logged:
                self.log.extend(
                    engine._log_rows(
                        job.rule_id,
                        job.condition_id,
                        job.res_model,
                        [job.res_id],
                        state,
                        depth=0,
                        duration=per_record,
                        error=error,
                        action=job.action_id,
                        job_ids={job.res_id: job.id},
                    )
                )

    def flush(self):
        cr = self.env.cr
        Job = self.env["crm.workflow.job"]
        if self.attempt_rows:
            self.env["crm.workflow.job.attempt"].sudo().create(self.attempt_rows)
        if self.done:
            cr.execute(
                f"UPDATE crm_workflow_job SET state = 'done', done_at = {NOW},"
                f" last_error = NULL, write_date = {NOW} WHERE id = ANY(%s)",
                [[job.id for job in self.done]],
            )
        self._update(
            "state = 'failed', eta = v.eta, last_error = v.text",
            [(job.id, eta, error) for job, eta, error in self.retry],
        )
        self._update(
            f"state = 'dead', last_error = v.text, done_at = {NOW}",
            [(job.id, None, error) for job, error in self.dead],
        )
        # a job that did not run gives its attempt back
        self._update(
            "state = 'cancelled', cancel_reason = v.text,"
            " attempts = GREATEST(j.attempts - 1, 0)",
            [(job.id, None, reason) for job, reason in self.cancelled],
        )
        self._update(
            "state = 'pending', eta = v.eta, attempts = GREATEST(j.attempts - 1, 0)",
            [(job.id, eta, None) for job, eta in self.postponed],
        )
        Job.invalidate_model()
        self.env["crm.workflow.run"]._log_bulk(self.log)
        # dead jobs tell the rule's responsible, once per rule and batch
        dead_by_rule = defaultdict(list)
        for job, error in self.dead:
            dead_by_rule[job.rule_id].append((job, error))
        for rule, items in dead_by_rule.items():
            if rule:
                rule._notify_responsible(
                    self.env._(
                        "%(count)s scheduled job(s) gave up. Last error: %(error)s",
                        count=len(items),
                        error=items[-1][1],
                    )
                )
        # circuit breaker: failures in a row, reset by a success
        Rule = self.env["crm.workflow.rule"].sudo()
        for rule_id, results in self.rule_results.items():
            if not rule_id:
                continue
            rule = Rule.browse(rule_id)
            if True in results:
                tail = len(results) - 1 - results[::-1].index(True)
                trailing = len(results) - 1 - tail
                rule._register_successes()
                if trailing:
                    rule._register_failures(trailing, reason=self._last_error(rule_id))
            else:
                rule._register_failures(len(results), reason=self._last_error(rule_id))

    def _update(self, assignments, rows):
        """One UPDATE for many jobs: ``rows`` are (id, eta, text) tuples."""
        if not rows:
            return
        ids, etas, texts = (list(column) for column in zip(*rows, strict=True))
        self.env.cr.execute(
            f"""UPDATE crm_workflow_job AS j
                   SET {assignments}, write_date = {NOW}
                  FROM unnest(%s::int4[], %s::timestamp[], %s::text[])
                       AS v(id, eta, text)
                 WHERE j.id = v.id""",  # noqa: S608 - fixed assignments
            [ids, etas, texts],
        )

    def _last_error(self, rule_id):
        for job, __, error in reversed(self.retry):
            if job.rule_id.id == rule_id:
                return error
        for job, error in reversed(self.dead):
            if job.rule_id.id == rule_id:
                return error
        return ""
