# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Jobs of webhook calls answered before their move (a trigger's
``webhook_queued``): the same queue, runner and run log as every delayed
effect, a kind of their own."""

import time

from odoo import SUPERUSER_ID, api, fields, models, tools


class CrmWorkflowJob(models.Model):
    _inherit = "crm.workflow.job"

    job_type = fields.Selection(
        selection_add=[("trigger", "Stage trigger")],
        ondelete={"trigger": "cascade"},
    )
    trigger_id = fields.Many2one(
        "crm.workflow.trigger",
        string="Stage trigger",
        ondelete="cascade",
        readonly=True,
    )

    def init(self):
        res = super().init()
        # the rate limit counts a trigger's calls of the last minute
        tools.create_index(
            self.env.cr,
            "crm_workflow_job_trigger_idx",
            self._table,
            ["trigger_id", "create_date"],
            where="trigger_id IS NOT NULL",
        )
        return res

    @api.depends("rule_id", "action_id", "record_name", "trigger_id")
    def _compute_display_name(self):
        res = super()._compute_display_name()
        for job in self.filtered("trigger_id"):
            job.display_name = f"{job.trigger_id.name} / {job.record_name}"
        return res

    def _run_trigger_jobs(self, outcome):
        """Queued webhook calls: the moves they ask for, each opportunity in
        the order of its calls, in as few writes as possible (one per trigger,
        until another trigger names an opportunity of the batch again)."""
        jobs = self.sorted("id")._drop_gone(outcome)
        idle = jobs.filtered(lambda j: not j.trigger_id.active)
        outcome.cancel(idle, self.env._("The trigger was archived."))
        jobs -= idle
        # a type with jobs of its own (a wait) runs them
        # (``_trigger_run_jobs_<type>``)
        own = jobs.filtered(lambda j: j.trigger_id._trigger_hook("run_jobs"))
        for trigger in own.trigger_id:
            mine = own.filtered(lambda j, t=trigger: j.trigger_id == t)
            trigger._trigger_hook("run_jobs")(mine, outcome)
        batches, current, owner = [], {}, {}
        for job in jobs - own:
            tid = job.trigger_id.id
            if owner.get(job.res_id, tid) != tid:
                batches.extend(current.values())
                current, owner = {}, {}
            current.setdefault(tid, []).append(job)
            owner[job.res_id] = tid
        batches.extend(current.values())
        for batch in batches:
            self.browse([job.id for job in batch])._run_trigger_batch(outcome)

    def _run_trigger_batch(self, outcome):
        """One trigger's queued calls: one move of their opportunities, as
        the call itself would have made it; a second call of one opportunity
        finds it there."""
        trigger = self[:1].trigger_id
        model = self[:1].res_model
        first = {}
        for job in self:
            first.setdefault(job.res_id, job)
        engine = self.env["crm.workflow.engine"].with_user(SUPERUSER_ID)
        started = time.perf_counter()
        moved, failures = engine._fire_triggers(
            "webhook",
            model,
            list(first),
            triggers=trigger,
            job_ids={rid: job.id for rid, job in first.items()},
        )
        elapsed = time.perf_counter() - started
        stayed = self.filtered(
            lambda j: j.res_id not in failures
            and (j.res_id not in moved or first[j.res_id] != j)
        )
        event = engine._event("webhook", model, stayed.mapped("res_id"))
        names = engine._record_names(model, event.ids, event)
        for job in stayed:
            outcome.log.extend(
                engine._log_rows(
                    None,
                    None,
                    model,
                    [job.res_id],
                    "skipped",
                    event=event,
                    error=trigger._unchanged_message(),
                    trigger=trigger,
                    job_ids={job.res_id: job.id},
                    names=names,
                )
            )
        done = [rid for rid in first if rid not in failures]
        outcome.record(self, done, failures, elapsed, logged=True)
