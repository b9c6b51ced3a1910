# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Jobs of stage robots: the same queue and runner, a kind of their own
(``robot``), the stage entry they belong to, and the robots that follow."""

import json
import time
from collections import defaultdict

from odoo import api, fields, models

from .crm_workflow_engine import Run


class CrmWorkflowJob(models.Model):
    _inherit = "crm.workflow.job"

    robot_id = fields.Many2one(
        "crm.workflow.robot",
        string="Automation rule",
        ondelete="cascade",
        index="btree_not_null",
        readonly=True,
    )
    robot_context = fields.Json(
        string="Stage entry",
        readonly=True,
        help="The stage entry this automation rule runs for, and the data earlier "
        "automation rules of that entry left for the later ones.",
    )

    @api.model
    def _cancel_robot_jobs(self, res_model, res_ids, stage):
        """Records moved to ``stage``: their pending robots of other stages
        are cancelled, unless they keep running when the record leaves."""
        self.flush_model()
        self.env.cr.execute(
            """UPDATE crm_workflow_job j
                  SET state = 'cancelled', cancel_reason = %s,
                      write_date = now() at time zone 'UTC'
                 FROM crm_workflow_robot r
                WHERE j.robot_id = r.id AND r.stage_id != %s
                  AND NOT COALESCE(r.keep_on_leave, false)
                  AND j.state IN ('pending', 'failed') AND j.check_record
                  AND j.res_model = %s AND j.res_id = ANY(%s)
            RETURNING j.id""",
            [
                self.env._(
                    "The opportunity left the stage (it moved to “%(stage)s”).",
                    stage=stage.name,
                ),
                stage.id,
                res_model,
                list(res_ids),
            ],
        )
        if self.env.cr.rowcount:
            self.invalidate_model(["state", "cancel_reason"])

    def _run_robot_group(self, outcome):
        """Due jobs of one robot: run its action as a rule's scheduled action
        runs, then start the robots that come after it."""
        first = self[:1]
        robot = first.robot_id.with_context(active_test=False)
        if not robot or not robot.active:
            outcome.cancel(
                self, self.env._("The automation rule was deleted or archived.")
            )
            return
        user = first.user_id or self.env.ref("base.user_root")
        Model = self.env(user=user.id, su=False)[first.res_model]
        live = set(Model.sudo().browse(self.mapped("res_id")).exists()._ids)
        gone = self.filtered(lambda j: j.res_id not in live)
        if gone:
            outcome.cancel(gone, self.env._("The record no longer exists."))
        jobs = self - gone
        action = robot.action_id
        # jobs of one stage entry share the data earlier robots left
        by_entry = defaultdict(lambda: self.browse())
        for job in jobs:
            key = json.dumps(
                (job.robot_context or {}).get("data") or {}, sort_keys=True
            )
            by_entry[key] |= job
        engine = self.env["crm.workflow.engine"].with_env(Model.env)
        for batch in by_entry.values():
            data = (batch[:1].robot_context or {}).get("data") or {}
            domain = robot._scope_domain(data)
            if domain and action.recheck_condition:
                ok = engine._search_ids(Model._name, batch.mapped("res_id"), domain)
                stale = batch.filtered(lambda j, ok=ok: j.res_id not in ok)
                if stale:
                    outcome.cancel(
                        stale, self.env._("The record no longer meets the criteria.")
                    )
                batch -= stale
            if (
                batch
                and robot.timing == "scheduled"
                and action.delay_anchor == "date_field"
            ):
                batch = batch._follow_date(action, Model, outcome)
            if not batch:
                continue
            single = len(batch) == 1 or not action._job_batchable()
            for group in batch if single else [batch]:
                context = group[:1].robot_context or {}
                run = Run(None, None, job=group if single else None)
                run.data = dict(data)
                records = Model.browse(group.mapped("res_id"))
                started = time.perf_counter()
                done, failures = engine._run_isolated(
                    records, lambda b, run=run: action._execute(b, run)
                )
                outcome.attempts(group, run.attempts)
                outcome.record(group, done, failures, time.perf_counter() - started)
                outcome.log.extend(run.log)
                if not action._completes_later():
                    engine._continue_robot_chain(
                        robot, records.browse(done), context, run.data
                    )
