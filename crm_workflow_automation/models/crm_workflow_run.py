# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models, tools

RUN_STATES = [
    ("done", "Done"),
    ("failed", "Failed"),
    ("skipped", "Skipped"),
    ("loop_stopped", "Stopped by the loop guard"),
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
)


class CrmWorkflowRun(models.Model):
    """The run log: one row per rule (and action, for jobs) that ran for a
    record. Written in bulk by the engine with one INSERT per event."""

    _name = "crm.workflow.run"
    _description = "Workflow Run"
    _inherit = ["crm.workflow.record.access.mixin"]
    _order = "id desc"
    _rec_name = "rule_id"

    rule_id = fields.Many2one(
        "crm.workflow.rule",
        string="Rule",
        ondelete="cascade",
        index=True,
        readonly=True,
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
    res_model = fields.Char(string="Model", readonly=True, index=True)
    res_id = fields.Many2oneReference(
        string="Record ID", model_field="res_model", readonly=True
    )
    state = fields.Selection(RUN_STATES, string="Status", readonly=True, index=True)
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
    company_id = fields.Many2one(
        "res.company", string="Company", readonly=True, index=True
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

    @api.depends("rule_id", "record_name")
    def _compute_display_name(self):
        for run in self:
            run.display_name = f"{run.rule_id.name} / {run.record_name}"

    @api.model
    def _log_bulk(self, rows):
        """Insert log rows (tuples in LOG_COLUMNS order) with one statement:
        the batch's arrays are unnested by PostgreSQL."""
        if not rows:
            return
        columns = list(zip(*rows, strict=True))
        names = ", ".join(name for name, __ in LOG_COLUMNS)
        unnest = ", ".join(f"%s::{kind}[]" for __, kind in LOG_COLUMNS)
        self.env.cr.execute(
            f"""
            INSERT INTO crm_workflow_run
                   ({names}, create_uid, create_date, write_uid, write_date)
            SELECT *, %s, now() at time zone 'UTC', %s, now() at time zone 'UTC'
              FROM unnest({unnest})
            """,
            [self.env.uid, self.env.uid] + [list(column) for column in columns],
        )

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
