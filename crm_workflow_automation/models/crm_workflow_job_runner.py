# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The runner: claim due jobs with ``FOR UPDATE SKIP LOCKED``, run them in
batches (one ``_execute`` per action and batch, a failed batch again job by
job), and write what happened in a few bulk statements."""

import logging
import time
from collections import defaultdict
from datetime import timedelta

import psycopg2

from odoo import api, models
from odoo.fields import Datetime

from ..runtime.event import Run
from ..runtime.heartbeat import Heartbeat, worker_id
from ..runtime.job_outcome import JobOutcome
from ..runtime.retry import PG_RETRYABLE
from .crm_workflow_job import BATCH_SIZE, DEFAULT_JOB_TIMEOUT

_logger = logging.getLogger(__name__)


class CrmWorkflowJob(models.Model):
    _inherit = "crm.workflow.job"

    # ------------------------------------------------------------------
    # the runner
    # ------------------------------------------------------------------

    @api.model
    def _cron_run_due_jobs(self, runner=1):
        """Entry point of the runner crons (several may run at once)."""
        return self._run_due_jobs(automatic=True, runner=runner)

    @api.model
    def _job_timeout(self):
        return int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("crm_workflow_automation.job_timeout", DEFAULT_JOB_TIMEOUT)
        )

    @api.model
    def _stale_before(self, now):
        """A ``running`` job claimed (or last heartbeat) before this time lost
        its worker."""
        return now - timedelta(seconds=self._job_timeout())

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
                   AND NOT EXISTS (
                       SELECT 1 FROM crm_workflow_worker_heartbeat h
                        WHERE h.worker = j.claimed_by AND h.seen_at >= %(stale)s)
                 LIMIT %(limit)s
                   FOR UPDATE SKIP LOCKED
            )
            UPDATE crm_workflow_job AS upd
               SET state = 'running', claimed_at = %(now)s, attempts = upd.attempts + 1,
                   claimed_by = %(worker)s, write_date = %(now)s
             WHERE upd.id IN (SELECT id FROM due UNION ALL SELECT id FROM stale)
            RETURNING upd.id
            """,
            {
                "now": now,
                "stale": stale,
                "limit": limit,
                "ids": list(ids or []),
                "recover": ids is None,
                "worker": worker_id(),
            },
        )
        claimed = [row[0] for row in self.env.cr.fetchall()]
        if claimed:
            self.invalidate_model(["state", "claimed_at", "claimed_by", "attempts"])
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
        # pylint: disable=invalid-commit  # automatic: the cron's batches only
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
            if not ids:
                break
            if automatic:
                self._wake_when_stale(now or Datetime.now())
                cr.commit()  # the claim is visible (state running) before the work
                with Heartbeat(self.env, ids):
                    self.browse(ids)._run_claimed()
            else:
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
                    *job._group_key_pinned(),
                )
            groups[key].append(job)
        outcome = JobOutcome(self.env)
        for jobs in groups.values():
            jobs = self.browse([j.id for j in jobs]).sudo()
            try:
                jobs._run_group(outcome)
            except Exception as e:
                _logger.exception("workflow job group %s failed", jobs.ids)
                outcome.failed(jobs, e)
        outcome.flush()

    def _run_group(self, outcome):
        """Jobs of one kind: ``_run_<job_type>_jobs`` runs them, so that a
        further module adds a kind of job with a method of its own. Every kind
        is built on the same steps: ``_job_model``, ``_drop_gone``,
        ``_drop_stale``, ``_follow_date`` and ``_execute_action``."""
        return getattr(self, f"_run_{self[:1].job_type}_jobs")(outcome)

    # ------------------------------------------------------------------
    # the steps every kind of job is built on
    # ------------------------------------------------------------------

    def _job_model(self):
        """The jobs' model, as the user who queued them (the superuser for
        jobs queued without one)."""
        first = self[:1]
        user = first.user_id or self.env.ref("base.user_root")
        return self.env(user=user.id, su=False)[first.res_model]

    def _drop_gone(self, outcome):
        """The jobs left once those whose record was deleted are cancelled
        (jobs that run without their record, such as those of a deletion,
        are kept)."""
        checked = self.filtered("check_record")
        if not checked:
            return self
        records = self.env[self[:1].res_model].sudo().browse(checked.mapped("res_id"))
        live = set(records.exists()._ids)
        gone = checked.filtered(lambda j: j.res_id not in live)
        outcome.cancel(gone, self.env._("The record no longer exists."))
        return self - gone

    def _drop_stale(self, ok_ids, outcome):
        """The jobs left once those whose record no longer meets the criteria
        (is not in ``ok_ids``) are cancelled."""
        checked = self.filtered("check_record")
        stale = checked.filtered(lambda j: j.res_id not in ok_ids)
        outcome.cancel(stale, self.env._("The record no longer meets the criteria."))
        return self - stale

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

    def _execute_action(self, action, Model, make_run, outcome):
        """Run ``action`` for the jobs' records: in one batch when the action
        can, else job by job (each with its own run, whose delivery attempts
        are kept). ``make_run(job)`` makes the run (``job`` None for a
        batch). Returns [(jobs, run, done record ids)]."""
        engine = self.env["crm.workflow.engine"].with_env(Model.env)
        single = len(self) == 1 or not action._job_batchable()
        results = []
        for jobs in self if single else [self]:
            run = make_run(jobs if single else None)
            records = Model.browse(jobs.mapped("res_id"))
            started = time.perf_counter()
            done, failures = engine._run_isolated(
                records, lambda batch, run=run: action._execute(batch, run)
            )
            outcome.attempts(jobs, run.attempts)
            outcome.record(jobs, done, failures, time.perf_counter() - started)
            outcome.log.extend(run.log)
            results.append((jobs, run, done))
        return results

    # ------------------------------------------------------------------
    # the kinds of jobs of rules (robots: crm_workflow_job_robot.py,
    # stage triggers: crm_workflow_job_trigger.py)
    # ------------------------------------------------------------------

    def _run_action_jobs(self, outcome):
        """A rule's scheduled actions. The rule is on the loop guard's chain
        meanwhile, as in the instant path: a scheduled action's own write
        does not fire its rule again (which would schedule it again, and
        again, every delay)."""
        first = self[:1]
        rule, action = first.rule_id, first.action_id
        # a job pinned to an older version runs its action and criteria
        condition = others = None
        version = self._pinned_version() if rule else None
        pinned = version and self._pinned_rule_action(version)
        if pinned and pinned[0]._job_pinnable():
            action, condition, others = pinned
        if not rule or not action:
            outcome.cancel(self, self.env._("The rule or the action was deleted."))
            return
        Model = self._job_model()
        jobs = self._drop_gone(outcome)
        if not jobs:
            return
        engine = self.env["crm.workflow.engine"]
        with engine._on_chain(rule, jobs.mapped("res_id")):
            if action.recheck_condition:
                ok_ids = jobs._meeting_criteria(rule, Model, condition, others)
                jobs = jobs._drop_stale(ok_ids, outcome)
            if action.timing == "scheduled" and action.delay_anchor == "date_field":
                jobs = jobs._follow_date(action, Model, outcome)
            if jobs:
                jobs._execute_action(
                    action,
                    Model,
                    lambda job: Run(rule, first.condition_id, job=job),
                    outcome,
                )

    def _meeting_criteria(self, rule, Model, condition=None, others=None):
        """The ids of the jobs' records that still meet the criteria of the
        jobs' condition (the fallback: of none of the rule's other ones);
        ``condition`` and ``others`` those of a pinned version."""
        if condition is None:
            condition = self[:1].condition_id
        if others is None:
            others = rule.condition_ids - condition
        ids = set(self.filtered("check_record").mapped("res_id"))
        if not condition or not ids:
            return ids
        engine = self.env["crm.workflow.engine"]
        if not condition.is_fallback:
            return engine._search_ids(
                Model._name, ids, condition._eval_domain() + rule._company_domain(Model)
            )
        for other in others.filtered(lambda c: not c.is_fallback):
            ids -= engine._search_ids(Model._name, ids, other._eval_domain())
        return ids

    def _run_rule_jobs(self, outcome):
        """A rule's own jobs are due (a date rule's date): its trigger type
        runs them (``_trigger_run_jobs_<type>``)."""
        rule = self[:1].rule_id
        if not rule:
            outcome.cancel(self, self.env._("The rule or the action was deleted."))
            return
        hook = rule._trigger_hook("run_jobs")
        if not hook:
            outcome.cancel(
                self, self.env._("The rule's trigger no longer schedules jobs.")
            )
            return
        hook(self, outcome)

    def _append_attempt(self, attempt, run_attempts):
        if run_attempts is not None:
            run_attempts.append(attempt)
        else:
            self.env["crm.workflow.job.attempt"].sudo().create(attempt)
