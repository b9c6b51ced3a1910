# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stage automation on the engine's one path: a stage entry is an event of
the write/create hook; robots of the entered stage run (or become jobs) as
rules' actions do, and triggers move records to their stage with an
ordinary write."""

import logging
import time
import uuid
from collections import defaultdict
from typing import NamedTuple

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL

from ..runtime.event import Event, Run
from .crm_workflow_engine import _cache_values, _chain, _fetch_wide, _index
from .crm_workflow_rule import StageIndex

_logger = logging.getLogger(__name__)


class StagePlan(NamedTuple):
    """What the write hook read for stage automation before the write."""

    old: dict  # {"stage_id"/"active": values before the write, on the records}
    before_write: dict  # {trigger id: what its type noted before the write}


class CrmWorkflowEngine(models.AbstractModel):
    _inherit = "crm.workflow.engine"

    @api.model
    def _event(self, kind, model, ids, changed=None, detail=None):
        """An Event, for callers outside this file (webhook log rows)."""
        return Event(kind, model, ids, changed=changed, detail=detail)

    @api.model
    def _stage_index(self):
        """{model: StageIndex} of the active robots and triggers, for the
        registry cache of ``crm.workflow.rule._rule_index``."""
        self.env["crm.workflow.robot"].flush_model(["stage_id", "active"])
        self.env["crm.workflow.trigger"].flush_model()
        self.env.cr.execute(
            "SELECT DISTINCT stage_id FROM crm_workflow_robot WHERE active"
        )
        robot_stages = frozenset(row[0] for row in self.env.cr.fetchall())
        self.env.cr.execute(
            "SELECT id, trigger_type FROM crm_workflow_trigger WHERE active"
            " ORDER BY sequence, id"
        )
        Trigger = self.env["crm.workflow.trigger"]
        events = Trigger._trigger_events()
        triggers = defaultdict(list)
        before_write = []
        for trigger_id, trigger_type in self.env.cr.fetchall():
            for kind in events.get(trigger_type, ()):
                triggers[kind].append(trigger_id)
            if Trigger._trigger_hook("before_write", trigger_type):
                before_write.append(trigger_id)
        if not robot_stages and not triggers:
            return {}
        return {
            "crm.lead": StageIndex(
                robot_stages=robot_stages,
                triggers={kind: tuple(ids) for kind, ids in triggers.items()},
                before_write=tuple(before_write),
            )
        }

    def _stage_prepare(self, records, vals, index):
        """Before a write: the old stage and active flag when robots or
        triggers may care, and what the triggers whose type compares before
        and after noted (``_trigger_before_write_<type>``: the records that
        already met a condition)."""
        spec = index.stage
        if not spec:
            return None
        triggers = spec.triggers
        fnames = []
        if "stage_id" in vals and (spec.robot_stages or "write" in triggers):
            fnames.append("stage_id")
        if "active" in vals and "write" in triggers:
            fnames.append("active")
        before = {}
        if spec.before_write:
            Trigger = self.env["crm.workflow.trigger"].sudo()
            for trigger in Trigger.browse(spec.before_write):
                before[trigger.id] = trigger._trigger_hook("before_write")(records)
        if not fnames and "write" not in triggers:
            return None
        old = {}
        if fnames:
            sudo_records = records.sudo().with_prefetch(records._ids)
            _fetch_wide(sudo_records, fnames)
            old = {f: _cache_values(sudo_records, records._fields[f]) for f in fnames}
        return StagePlan(old, before)

    def _stage_changes(self, records, plan):
        """{field: ids whose value changed} for the stage and active flag."""
        if plan is None:
            return {}
        old = plan.old
        changed = {}
        if old:
            sudo_records = records.sudo().with_prefetch(records._ids)
            sudo_records.fetch(list(old))
            for fname, before in old.items():
                after = _cache_values(sudo_records, records._fields[fname])
                changed[fname] = {
                    rid
                    for rid, b, a in zip(records._ids, before, after, strict=True)
                    if b != a
                }
        return changed

    def _stage_finish(self, records, plan, changed):
        entered = changed.get("stage_id")
        if entered:
            old_stages = dict(zip(records._ids, plan.old["stage_id"], strict=True))
            self._on_stage_entry(
                records.browse([rid for rid in records._ids if rid in entered]),
                {rid: old_stages[rid] for rid in entered},
            )
        index = _index(records)
        if index and index.trigger_ids("write"):
            self._fire_triggers(
                "write",
                records._name,
                records._ids,
                changed=changed,
                detail={"before_write": plan.before_write},
            )

    def _stage_created(self, records, spec):
        """A record created in a stage enters it; then the triggers."""
        if spec.robot_stages:
            staged = records.sudo().filtered("stage_id")
            if staged:
                self._on_stage_entry(records.browse(staged._ids), {})
        if "create" in spec.triggers:
            self._fire_triggers("create", records._name, records._ids)

    def _on_stage_entry(self, records, old_stages):
        """Records entered a new stage: cancel the pending robots of the
        stages they left (unless ``keep_on_leave``), then plan the robots of
        the stage entered (and of the stages skipped, when the pipeline says
        so), in stage order."""
        Job = self.env["crm.workflow.job"]
        Stage = self.env["crm.stage"].sudo()
        Robot = self.env["crm.workflow.robot"].sudo()
        sudo_records = records.sudo()
        groups = defaultdict(list)
        for record in sudo_records:
            groups[
                (old_stages.get(record.id), record.stage_id.id, record.team_id.id)
            ].append(record.id)
        by_new = defaultdict(list)
        for (__, new, __), ids in groups.items():
            by_new[new].extend(ids)
        for new, ids in by_new.items():
            Job._cancel_robot_jobs(records._name, ids, Stage.browse(new))
        index = _index(records)
        robot_stages = index.stage.robot_stages if index and index.stage else ()
        if not robot_stages:
            return
        if len(_chain(self.env.cr)) >= self._max_depth():
            _logger.info("stage robots stopped by the loop guard on %s", records)
            return
        for (old, new, team_id), ids in groups.items():
            stages = self._stages_to_run(old, new, team_id)
            for stage in stages:
                if stage.id not in robot_stages:
                    continue
                robots = Robot.search([("stage_id", "=", stage.id)])
                if robots:
                    event = Event("stage_entry", records._name, ids)
                    self._plan_robots(robots, records.browse(ids), event, {})

    def _stages_to_run(self, old, new, team_id):
        """The stage entered, preceded on a forward jump by the stages skipped
        when the pipeline runs their robots too."""
        Stage = self.env["crm.stage"].sudo()
        target = Stage.browse(new)
        team = self.env["crm.team"].sudo().browse(team_id)
        if not old or not team or not team.workflow_run_skipped_stages:
            return target
        pipeline = Stage.search(
            ["|", ("team_id", "=", False), ("team_id", "=", team.id)]
        )
        order = pipeline.ids
        if old not in order or new not in order:
            return target
        start, end = order.index(old), order.index(new)
        if end <= start + 1:
            return target
        return pipeline[start + 1 : end + 1]

    def _plan_robots(self, robots, records, event, data, chain_only=False):
        """Run or schedule ``robots`` (one stage, in order) for the records of
        one stage entry. ``parallel`` robots start at the entry; an
        ``after_previous`` one when the robot before it has run (now, if that
        one ran now; else from the job runner, ``chain_only``)."""
        run = Run(None, None, event=event)
        run.data = data
        ids = list(records._ids)
        waiting = set()  # records whose previous robot has not run yet
        log, jobs = [], []
        now = fields.Datetime.now()
        for position, robot in enumerate(robots):
            after = robot.execution_mode == "after_previous" and (
                position or chain_only
            )
            if chain_only and not after:
                break
            candidates = [rid for rid in ids if rid not in waiting] if after else ids
            still_waiting = set(waiting) if after else set()
            domain = robot._scope_domain(run.data)
            if domain and candidates:
                hit = self._search_ids(records._name, candidates, domain)
                candidates = [rid for rid in candidates if rid in hit]
            if candidates:
                batch = records.browse(candidates)
                if robot._requires_job_now():
                    base = now if after else event.time
                    jobs.extend(self._robot_job_values(robot, batch, run, base))
                    still_waiting |= set(candidates)
                else:
                    rows, failed = self._run_robot(robot, batch, run)
                    log.extend(rows)
                    still_waiting |= failed
                    if robot.action_id._completes_later():
                        still_waiting |= set(candidates)
            waiting = still_waiting
        if jobs:
            self.env["crm.workflow.job"]._enqueue(jobs)
        self.env["crm.workflow.run"]._log_bulk(log + run.log)

    def _run_robot(self, robot, records, run):
        """Run a robot's action now, isolated as a rule's. Returns (log rows,
        the ids it failed on: their chain stops)."""
        action = robot.action_id
        started = time.perf_counter()
        with self._on_chain(robot, records._ids):
            done, failures = self._run_isolated(
                records, lambda batch: action._execute(batch, run)
            )
        elapsed = (time.perf_counter() - started) / max(len(records), 1)
        rows = self._outcome_rows(
            records._name,
            done,
            failures,
            run.event,
            duration=elapsed,
            action=action,
            robot=robot,
        )
        return rows, set(failures)

    def _outcome_rows(self, model, done, failures, event, **values):
        """Run-log rows of a robot's or trigger's batch: done, and failed
        with the error."""
        rows = self._log_rows(None, None, model, done, "done", event=event, **values)
        for rid, error in failures.items():
            rows.extend(
                self._log_rows(
                    None,
                    None,
                    model,
                    [rid],
                    "failed",
                    event=event,
                    error=str(error),
                    **values,
                )
            )
        return rows

    def _robot_job_values(self, robot, records, run, base):
        """Jobs of a delayed robot (or one that leaves the database), due at
        its delay from ``base`` (the stage entry or the previous robot), or at
        its date field ± offset."""
        action = robot.action_id
        now = fields.Datetime.now()
        if robot.timing == "scheduled":
            etas = action._compute_etas(records, base)
        else:
            etas = dict.fromkeys(records._ids, now)
        payloads = action._prepare_job_payloads(records.browse(list(etas)), run)
        context = {
            "entry": run.event.uid,
            "stage_id": robot.stage_id.id,
            "data": run.data,
        }
        return [
            {
                "job_type": "robot",
                "robot_id": robot.id,
                "action_id": action.id,
                "res_model": records._name,
                "res_id": rid,
                "eta": eta,
                "payload": payloads.get(rid),
                "robot_context": context,
                "idempotency_key": f"robot:{robot.id}:{rid}:{run.event.uid}",
                "event_uid": uuid.uuid4().hex,
                "origin_event_uid": run.event.uid,
                "trigger_time": base,
            }
            for rid, eta in etas.items()
        ]

    def _continue_robot_chain(self, robot, records, context, data):
        """A delayed robot has run: start the ``after_previous`` robots that
        follow it, for the records still in its stage."""
        if not records:
            return
        stage = robot.stage_id
        records = records.browse([r.id for r in records.sudo() if r.stage_id == stage])
        robots = (
            self.env["crm.workflow.robot"].sudo().search([("stage_id", "=", stage.id)])
        )
        if robot not in robots or not records:
            return
        successors = robots[list(robots).index(robot) + 1 :]
        event = Event("stage_entry", records._name, records._ids)
        event.uid = (context or {}).get("entry") or event.uid
        self._plan_robots(successors, records, event, dict(data or {}), chain_only=True)

    def _fire_triggers(
        self,
        kind,
        model,
        ids,
        changed=None,
        detail=None,
        triggers=None,
        job_ids=None,
    ):
        """Move the records an event concerns to the stage of the triggers it
        fires (the furthest stage first; a record moves once per event). The
        move is an ordinary write: the stage entry then runs its robots.
        Returns ({record id: trigger} of the records moved, {record id: error}
        of the moves that failed: a queued webhook call's job retries them)."""
        Trigger = self.env["crm.workflow.trigger"].sudo()
        if triggers is None:
            index = self.env["crm.workflow.rule"]._rule_index().get(model)
            triggers = Trigger.browse(index.trigger_ids(kind) if index else ())
        triggers = triggers.filtered("active")
        if not triggers or not ids:
            return {}, {}
        if len(_chain(self.env.cr)) >= self._max_depth():
            return {}, {}
        event = Event(kind, model, ids, changed=changed, detail=detail)
        Model = self.env[model]
        moved, failed, log = {}, {}, []
        ordered = triggers.sorted(
            lambda t: (t.stage_id.sequence, t.stage_id.id, -t.sequence, -t.id),
            reverse=True,
        )
        for trigger in ordered:
            cids = [rid for rid in trigger._fire(event) if rid not in moved]
            if not cids:
                continue
            stage = trigger.stage_id
            domain = expression.AND(
                [trigger._scope_domain(), [("stage_id", "!=", stage.id)]]
            )
            hit = self._search_ids(model, cids, domain)
            cids = [rid for rid in cids if rid in hit]
            if not trigger.allow_backward:
                cids = self._forward_ids(model, cids, stage)
            if not cids:
                continue
            with self._on_chain(trigger, cids):
                done, failures = self._run_isolated(
                    Model.browse(cids),
                    lambda batch, stage=stage: batch.write({"stage_id": stage.id}),
                )
            moved.update(dict.fromkeys(done, trigger))
            failed.update(failures)
            log.extend(
                self._outcome_rows(
                    model, done, failures, event, trigger=trigger, job_ids=job_ids
                )
            )
        self.env["crm.workflow.run"]._log_bulk(log)
        return moved, failed

    def _forward_ids(self, model, ids, stage):
        """Records whose current stage comes before ``stage``: one query, not
        a read of the records."""
        Model = self.env[model].sudo()
        Stage = self.env[Model._fields["stage_id"].comodel_name].sudo()
        Model.flush_model(["stage_id"])
        Stage.flush_model(["sequence"])
        rows = self.env.execute_query(
            SQL(
                "SELECT r.id FROM %s r LEFT JOIN %s s ON s.id = r.stage_id"
                " WHERE r.id = ANY(%s) AND (s.id IS NULL"
                " OR (coalesce(s.sequence, 0), s.id) < (%s, %s))",
                SQL.identifier(Model._table),
                SQL.identifier(Stage._table),
                list(ids),
                stage.sequence or 0,
                stage.id,
            )
        )
        hit = {row[0] for row in rows}
        return [rid for rid in ids if rid in hit]
