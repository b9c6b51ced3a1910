# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a runner batch did to its jobs, kept in memory while the batch runs
and written in a few bulk statements at its end."""

from collections import defaultdict
from datetime import timedelta

from odoo.fields import Datetime

from .retry import backoff_seconds, is_retryable

NOW = "(now() at time zone 'UTC')"


class JobOutcome:
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
        """Jobs that no longer apply: cancelled, and in the run log as a
        skipped action (or trigger) with the reason."""
        engine = self.env["crm.workflow.engine"]
        names = {}
        for job in jobs:
            self.cancelled.append((job, reason))
            action = job.action_id.exists()
            trigger = job.trigger_id.exists()
            if not action and not trigger:
                continue  # the rule or the action was deleted with its log
            model = job.res_model
            if model not in names:
                ids = jobs.filtered(lambda j, m=model: j.res_model == m).mapped(
                    "res_id"
                )
                names[model] = engine._record_names(model, ids)
            self.log.extend(
                engine._log_rows(
                    job.rule_id.exists(),
                    job.condition_id.exists(),
                    model,
                    [job.res_id],
                    "skipped",
                    error=reason,
                    action=action,
                    job_ids={job.res_id: job.id},
                    robot=job.robot_id.exists(),
                    trigger=trigger,
                    names=names[model],
                )
            )

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
        names = {}
        if not logged:
            by_model = defaultdict(list)
            for job in jobs:
                by_model[job.res_model].append(job.res_id)
            names = {m: engine._record_names(m, ids) for m, ids in by_model.items()}
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
                        robot=job.robot_id,
                        names=names.get(job.res_model),
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
        self._mark_partial([job for job, __ in self.dead])
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

    def _mark_partial(self, jobs):
        """A rule's run whose scheduled action gave up is partly done: its
        row (that of the event that queued the job) says so."""
        keys = [
            (job.rule_id.id, job.res_id, job.origin_event_uid)
            for job in jobs
            if job.job_type == "action" and job.rule_id and job.origin_event_uid
        ]
        if not keys:
            return
        rules, records, events = (list(c) for c in zip(*keys, strict=True))
        self.env.cr.execute(
            """UPDATE crm_workflow_run AS r SET state = 'partial'
                 FROM unnest(%s::int4[], %s::int4[], %s::varchar[]) AS v(rule, res, ev)
                WHERE r.rule_id = v.rule AND r.res_id = v.res
                  AND r.action_id IS NULL AND r.state = 'done'
                  AND r.event_uid = v.ev""",
            [rules, records, events],
        )
        self.env["crm.workflow.run"].invalidate_model(["state"])

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
                 WHERE j.id = v.id""",  # fixed assignments
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
