# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Jobs of stage robots: the same queue and runner, a kind of their own
(``robot``), the stage entry they belong to, and the robots that follow."""

import json
from collections import defaultdict

from odoo import api, fields, models

from ..runtime.event import Run


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

    def _run_robot_jobs(self, outcome):
        """Due jobs of one robot: run its action as a rule's scheduled action
        runs, then start the robots that come after it."""
        robot = self[:1].robot_id.with_context(active_test=False)
        if not robot or not robot.active:
            outcome.cancel(
                self, self.env._("The automation rule was deleted or archived.")
            )
            return
        Model = self._job_model()
        action, settings = robot.action_id, robot
        version = self._pinned_version()
        pinned = version and self._pinned_robot(version, robot)
        if pinned and pinned[0]._job_pinnable():
            # queued by an older version of the robot, kept as scheduled
            action, settings = pinned
        engine = self.env["crm.workflow.engine"].with_env(Model.env)
        # jobs of one stage entry share the data earlier robots left
        by_entry = defaultdict(lambda: self.browse())
        for job in self._drop_gone(outcome):
            key = json.dumps(
                (job.robot_context or {}).get("data") or {}, sort_keys=True
            )
            by_entry[key] |= job
        for jobs in by_entry.values():
            data = (jobs[:1].robot_context or {}).get("data") or {}
            domain = settings._scope_domain(data)
            if domain and action.recheck_condition:
                ids = jobs.mapped("res_id")
                jobs = jobs._drop_stale(
                    engine._search_ids(Model._name, ids, domain), outcome
                )
            if (
                jobs
                and action.timing == "scheduled"
                and action.delay_anchor == "date_field"
            ):
                jobs = jobs._follow_date(action, Model, outcome)
            if not jobs:
                continue

            def make_run(job, data=data):
                run = Run(None, None, job=job)
                run.data = dict(data)
                return run

            for group, run, done in jobs._execute_action(
                action, Model, make_run, outcome
            ):
                if not action._completes_later():
                    engine._continue_robot_chain(
                        robot,
                        Model.browse(done),
                        group[:1].robot_context or {},
                        run.data,
                    )
