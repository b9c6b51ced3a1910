# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a save of a rule or an automation rule does to the jobs it already
scheduled: they keep the version that scheduled them (by default), take the
new version, or are cancelled. The choice comes from the form
(``pending_job_policy``) or, over the API, from the context key
``crm_workflow_pending_jobs``."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from .crm_workflow_job import OPEN_STATES

# the context key of the choice, and the form's field that sets it
PENDING_JOBS = "crm_workflow_pending_jobs"
POLICY_FIELD = "pending_job_policy"
POLICIES = ("keep", "apply", "cancel")


class CrmWorkflowPendingJobMixin(models.AbstractModel):
    """A versioned record whose scheduled jobs run the version that scheduled
    them. ``_pending_job_field`` names the job's field that points at the
    record; ``_pending_job_types`` the kinds of its jobs that are pinned (the
    others always run the live record)."""

    _name = "crm.workflow.pending.job.mixin"
    _inherit = ["crm.workflow.versioned.mixin"]
    _description = "Workflow record with pinned scheduled jobs"
    _pending_job_field = None
    _pending_job_types = ()

    pending_job_count = fields.Integer(
        compute="_compute_pending_job_count", string="Pending jobs"
    )
    pending_job_policy = fields.Selection(
        [
            ("keep", "Keep them as they were scheduled"),
            ("apply", "Apply the change to them"),
            ("cancel", "Cancel them"),
        ],
        string="Scheduled jobs on save",
        compute="_compute_pending_job_policy",
        readonly=False,
        help="Jobs kept as scheduled run the version that scheduled them (its "
        "criteria and action settings); with the change applied they run the "
        "saved version; cancelled, they do not run.",
    )

    def _compute_pending_job_count(self):
        counts = {}
        if self.ids:
            counts = {
                owner.id: count
                for owner, count in self.env["crm.workflow.job"]
                .sudo()
                ._read_group(
                    [
                        (self._pending_job_field, "in", self.ids),
                        ("state", "in", OPEN_STATES),
                    ],
                    [self._pending_job_field],
                    ["__count"],
                )
            }
        for record in self:
            record.pending_job_count = counts.get(record.id, 0)

    def _compute_pending_job_policy(self):
        for record in self:
            record.pending_job_policy = "keep"

    @api.model_create_multi
    def create(self, vals_list):
        # a new record has no job yet: the choice is moot
        for vals in vals_list:
            vals.pop(POLICY_FIELD, None)
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # the choice
    # ------------------------------------------------------------------

    def _with_pending_job_policy(self, vals):
        """``vals`` without the form's choice, and the records with the
        choice in their context (``None`` when ``vals`` has no choice)."""
        if POLICY_FIELD not in vals:
            return None, vals
        vals = dict(vals)
        policy = vals.pop(POLICY_FIELD) or "keep"
        return self.with_context(**{PENDING_JOBS: policy}), vals

    def _pending_job_policy(self):
        policy = self.env.context.get(PENDING_JOBS) or "keep"
        if policy not in POLICIES:
            raise UserError(
                self.env._(
                    "“%(policy)s” is no choice for the scheduled jobs: use keep, "
                    "apply or cancel.",
                    policy=policy,
                )
            )
        return policy

    # ------------------------------------------------------------------
    # the versions' hooks
    # ------------------------------------------------------------------

    def _version_before_change(self):
        """Open jobs not pinned yet (queued before the record had a history,
        or before the upgrade that added pinning) keep the version they were
        queued under: the last one before this change."""
        res = super()._version_before_change()
        self._pending_job_policy()  # a wrong choice is refused before the save
        if self.ids and self._pending_job_types:
            self._pin_open_jobs(only_unpinned=True)
        return res

    def _version_after_change(self):
        res = super()._version_after_change()
        if not self:
            return res
        policy = self._pending_job_policy()
        if policy == "apply":
            self._pin_open_jobs(only_unpinned=False)
        elif policy == "cancel":
            for record in self:
                record._cancel_open_jobs(
                    self.env._(
                        "Cancelled when a change of “%(name)s” was saved.",
                        name=record.display_name,
                    )
                )
        return res

    def _pin_open_jobs(self, only_unpinned):
        """Point the open jobs of these records at their last version."""
        Job = self.env["crm.workflow.job"]
        Job.flush_model()
        self.env["crm.workflow.version"].flush_model()
        field = self._pending_job_field
        self.env.cr.execute(
            f"""
            UPDATE crm_workflow_job j
               SET version_id = v.id, action_ref = COALESCE(j.action_ref, j.action_id)
              FROM (SELECT DISTINCT ON (res_id) res_id, id
                      FROM crm_workflow_version
                     WHERE res_model = %s AND res_id = ANY(%s)
                     ORDER BY res_id, number DESC) v
             WHERE j.{field} = v.res_id
               AND j.state IN %s AND j.job_type IN %s
               AND (NOT %s OR j.version_id IS NULL)
               AND j.version_id IS DISTINCT FROM v.id
            """,
            [
                self._name,
                self.ids,
                OPEN_STATES,
                tuple(self._pending_job_types),
                only_unpinned,
            ],
        )
        if self.env.cr.rowcount:
            Job.invalidate_model(["version_id", "action_ref"])

    def _cancel_open_jobs(self, reason, where="TRUE"):
        Job = self.env["crm.workflow.job"]
        Job.flush_model()
        self.env.cr.execute(
            f"""UPDATE crm_workflow_job SET state = 'cancelled', cancel_reason = %s,
                       write_date = now() at time zone 'UTC'
                 WHERE {self._pending_job_field} = ANY(%s)
                   AND state IN %s AND {where}""",
            [reason, self.ids, OPEN_STATES],
        )
        if self.env.cr.rowcount:
            Job.invalidate_model(["state", "cancel_reason"])
