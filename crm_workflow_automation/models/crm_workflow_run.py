# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io

from odoo import api, fields, models, tools

from .crm_workflow_function import CALLERS

RUN_STATES = [
    ("done", "Done"),
    ("failed", "Failed"),
    ("skipped", "Skipped"),
    ("loop_stopped", "Stopped by the loop guard"),
    ("rejected", "Rejected"),
]
# columns of a log row, in the order the engine builds them
LOG_COLUMNS = (
    ("rule_id", "int4"),
    ("condition_id", "int4"),
    ("action_id", "int4"),
    ("job_id", "int4"),
    ("res_model", "varchar"),
    ("res_id", "int4"),
    ("state", "varchar"),
    ("error", "text"),
    ("duration", "float8"),
    ("user_id", "int4"),
    ("trigger", "varchar"),
    ("depth", "int4"),
    ("event_uid", "varchar"),
    ("company_id", "int4"),
    ("function_id", "int4"),
    ("caller", "varchar"),
    ("result", "text"),
    ("robot_id", "int4"),
    ("trigger_id", "int4"),
)


def _copy_value(value):
    """A value in PostgreSQL's COPY text format."""
    if value is None or value is False:
        return "\\N"
    if isinstance(value, str):
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return str(value)


class CrmWorkflowRun(models.Model):
    """The run log: one row per rule (and action, for jobs) that ran for a
    record. Written in bulk by the engine with one INSERT per event."""

    _name = "crm.workflow.run"
    _description = "Workflow Run"
    _inherit = ["crm.workflow.record.access.mixin"]
    _order = "id desc"
    _rec_name = "rule_id"
    # Rows are written once, in bulk, by the engine: no write date, and no
    # create_uid/write_uid whose foreign keys would be checked for each row.
    _log_access = False

    rule_id = fields.Many2one(
        "crm.workflow.rule", string="Rule", ondelete="cascade", readonly=True
    )
    condition_id = fields.Many2one(
        "crm.workflow.condition", string="Condition", ondelete="set null", readonly=True
    )
    action_id = fields.Many2one(
        "crm.workflow.action", string="Action", ondelete="set null", readonly=True
    )
    job_id = fields.Many2one(
        "crm.workflow.job",
        string="Job",
        ondelete="set null",
        index="btree_not_null",
        readonly=True,
    )
    robot_id = fields.Many2one(
        "crm.workflow.robot",
        string="Automation rule",
        ondelete="cascade",
        index="btree_not_null",
        readonly=True,
    )
    trigger_id = fields.Many2one(
        "crm.workflow.trigger",
        string="Stage trigger",
        ondelete="cascade",
        readonly=True,
    )
    res_model = fields.Char(string="Model", readonly=True)
    res_id = fields.Many2oneReference(
        string="Record ID", model_field="res_model", readonly=True
    )
    state = fields.Selection(RUN_STATES, string="Status", readonly=True)
    error = fields.Text(readonly=True)
    duration = fields.Float(
        string="Duration (s)",
        digits=(16, 4),
        readonly=True,
        help="Time spent on this record: the batch's time divided by its size.",
    )
    user_id = fields.Many2one("res.users", string="User", readonly=True)
    trigger = fields.Char(readonly=True)
    depth = fields.Integer(string="Chain depth", readonly=True)
    event_uid = fields.Char(string="Event", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    function_id = fields.Many2one(
        "crm.workflow.function",
        string="Function",
        ondelete="cascade",
        index="btree_not_null",
        readonly=True,
    )
    caller = fields.Selection(
        CALLERS, readonly=True, help="Where the function was called from."
    )
    result = fields.Text(string="Result", readonly=True)
    create_date = fields.Datetime(
        string="Date", readonly=True, default=lambda self: fields.Datetime.now()
    )

    def init(self):
        tools.create_index(
            self.env.cr,
            "crm_workflow_run_rule_record_idx",
            self._table,
            ["rule_id", "res_id", "res_model"],
        )
        tools.create_index(
            self.env.cr,
            "crm_workflow_run_record_idx",
            self._table,
            ["res_model", "res_id"],
        )
        # the webhook trigger's rate limit counts its recent calls
        tools.create_index(
            self.env.cr,
            "crm_workflow_run_trigger_date_idx",
            self._table,
            ["trigger_id", "create_date"],
            where="trigger_id IS NOT NULL",
        )

    @api.depends("rule_id", "robot_id", "trigger_id", "function_id", "record_name")
    def _compute_display_name(self):
        for run in self:
            what = run.rule_id or run.robot_id or run.trigger_id or run.function_id
            head = what.name or ""
            if run.res_id:
                head = f"{head} / {run.record_name or ''}"
            run.display_name = head

    @api.model
    def _log_bulk(self, rows):
        """Insert log rows (tuples in LOG_COLUMNS order) with one COPY: a batch
        of 10,000 records and 5 rules is 50,000 rows, which COPY loads ten
        times faster than an INSERT of arrays."""
        if not rows:
            return
        now = fields.Datetime.to_string(fields.Datetime.now())
        names = [name for name, __ in LOG_COLUMNS]
        names.append("create_date")
        tail = (now,)
        buffer = io.StringIO()
        write = buffer.write
        for row in rows:
            write("\t".join(map(_copy_value, row + tail)))
            write("\n")
        buffer.seek(0)
        self.flush_model()
        self.env.cr.copy_expert(
            f"COPY crm_workflow_run ({', '.join(names)}) FROM STDIN",
            buffer,
        )

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
