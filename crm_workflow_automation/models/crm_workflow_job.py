# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The durable queue: every delayed or outgoing effect is a row here, claimed
by the runner crons with ``FOR UPDATE SKIP LOCKED`` and run once, at its time.
The job's states, enqueue, cancel and buttons are here; the runner is in
crm_workflow_job_runner.py, its wake-ups in crm_workflow_job_wake.py, webhook
delivery in crm_workflow_job_webhook.py."""

import json
import logging
import uuid

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.fields import Datetime

from ..runtime.retry import DEFAULT_MAX_ATTEMPTS

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
BATCH_SIZE = 500
# A running job whose worker shows no life for this long is claimed again.
DEFAULT_JOB_TIMEOUT = 300
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
    ("origin_event_uid", "varchar", None),
    ("user_id", "int4", None),
    ("trigger_time", "timestamp", None),
    ("check_record", "bool", True),
    ("company_id", "int4", None),
    ("robot_id", "int4", None),
    ("robot_context", "jsonb", None),
    ("trigger_id", "int4", None),
    ("version_id", "int4", None),
    ("action_ref", "int4", None),
)


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
        [
            ("action", "Scheduled action"),
            ("rule", "Date rule"),
            ("robot", "Automation rule"),
        ],
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
    # kept when the action is deleted: a job pinned to its version still runs
    # the action as that version said (crm_workflow_job_pinned.py)
    action_id = fields.Many2one(
        "crm.workflow.action",
        string="Action",
        ondelete="set null",
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
    origin_event_uid = fields.Char(
        string="Queued by event",
        readonly=True,
        copy=False,
        help="The event that queued the job: the run log's row of that event "
        "says so when the job gives up.",
    )
    user_id = fields.Many2one("res.users", string="Run as", readonly=True)
    trigger_time = fields.Datetime(string="Triggered on", readonly=True)
    check_record = fields.Boolean(
        string="Check the record", default=True, readonly=True
    )
    claimed_at = fields.Datetime(
        string="Claimed on",
        readonly=True,
        help="When its worker claimed the job.",
    )
    claimed_by = fields.Char(
        string="Claimed by", readonly=True, help="Host and process of the worker."
    )
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
        # Live workers renew their row here while they run a batch (the
        # runner's Heartbeat): renewing the jobs themselves would make the
        # batch's own update of them fail to serialize.
        self.env.cr.execute(
            """CREATE TABLE IF NOT EXISTS crm_workflow_worker_heartbeat (
                   worker varchar PRIMARY KEY, seen_at timestamp NOT NULL)"""
        )
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
        held = jobs.sudo().filtered(
            lambda j: j.rule_id and (j.rule_id.paused or not j.rule_id.active)
        )
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
                    "origin_event_uid": event_key,
                    "trigger_time": trigger_time,
                    "check_record": check_record,
                }
            )
        return values

    @api.model
    def _enqueue(self, values_list, short_transaction=False):
        """Insert jobs with one statement (the same idempotency key never
        enqueues twice) and wake the runners at the earliest new due time.
        Returns the ids of the jobs created."""
        if not values_list:
            return []
        uid = self.env.uid
        self._pin_to_versions(values_list)
        companies = {}
        columns = []
        for name, kind, default in JOB_COLUMNS:
            column = []
            for vals in values_list:
                value = vals.get(name, default)
                if value is False and kind != "bool":
                    value = None  # the ORM's "empty" (a rule for all companies)
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
                elif name in ("payload", "robot_context") and value is not None:
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
            self._wake_runners(
                [vals["eta"] for vals in values_list], lock=short_transaction
            )
        return ids

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

    @api.model
    def _next_open(self, record, job_type="rule", rule=None):
        """The earliest open job of ``job_type`` for ``record``: of ``rule``,
        or of no rule (a meeting's "held" job). For "Why (not)?"."""
        return self.sudo().search(
            [
                ("job_type", "=", job_type),
                ("rule_id", "=", rule.id if rule else False),
                ("res_model", "=", record._name),
                ("res_id", "=", record.id),
                ("state", "in", list(OPEN_STATES)),
            ],
            order="eta",
            limit=1,
        )
