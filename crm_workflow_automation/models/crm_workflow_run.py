# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io
import threading
from datetime import datetime, timedelta

from odoo import api, fields, models, tools
from odoo.tools import SQL

from .crm_workflow_function import CALLERS

RUN_STATES = [
    ("done", "Done"),
    ("partial", "Partly done"),
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
    ("record_name", "varchar"),
    ("changed_fields", "varchar"),
    ("outcome", "jsonb"),
)
# Up to this many rows, the log writes them with an INSERT, not a COPY.
SMALL_LOG = 50
# the context key that marks the "Automation" actions bound to models
BINDING_MARK = "crm_workflow_record_runs"
# states of a run that count as "it ran" for first_match rules
RAN_STATES = ("done", "partial")
# What each action did, in the ``outcome`` column: a JSON list, one object
# per action, {"action": id, "state": OUTCOME_*} and for a scheduled action
# "due" (UTC, "YYYY-MM-DD HH:MM:SS") and "job" (its id, when it was queued).
# Short keys, absent when empty: it is written for every run row.
OUTCOME_DONE = "done"
OUTCOME_SCHEDULED = "scheduled"
# The rows of one batch share their create_date (the log reads a batch as
# one), and two batches of a process never share it.
_last_stamp = threading.local()


def _batch_stamp():
    now = datetime.now()  # Odoo runs in UTC; microseconds kept, unlike Datetime.now
    last = getattr(_last_stamp, "value", None)
    if last is not None and now <= last:
        now = last + timedelta(microseconds=1)
    _last_stamp.value = now
    return now


def _copy_text(value):
    """A text in PostgreSQL's COPY text format (escaped only when it must)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


def _copy_line(row):
    """A row in PostgreSQL's COPY text format, its values converted inline (a
    batch of 5,000 leads and 5 rules is 550,000 values)."""
    return "\t".join(
        [
            "\\N"
            if value is None or value is False
            else (_copy_text(value) if isinstance(value, str) else str(value))
            for value in row
        ]
    )


class LogReference(fields.Many2one):
    """A Many2one of the run log without a foreign key. The engine writes the
    log in bulk, a row per record and rule, and PostgreSQL checks each row's
    foreign keys one by one (bench/RESULTS.md, "Figures behind the code").
    What the key's ON DELETE did, the referenced model's unlink
    does (``crm.workflow.run._forget``): a deleted condition, user or company
    leaves its runs without it, a deleted rule takes its runs with it (also
    when it goes with its model: ``ir.model.unlink``)."""

    def update_db_foreign_key(self, model, column):
        return


# the references of the log without a foreign key
UNKEYED = ("rule_id", "condition_id", "user_id", "company_id")
# the references whose deletion deletes the runs (ON DELETE CASCADE)
UNKEYED_CASCADE = ("rule_id",)


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

    rule_id = LogReference(
        "crm.workflow.rule", string="Rule", ondelete="cascade", readonly=True
    )
    condition_id = LogReference(
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
    user_id = LogReference("res.users", string="User", readonly=True)
    trigger = fields.Char(readonly=True)
    depth = fields.Integer(string="Chain depth", readonly=True)
    event_uid = fields.Char(string="Event", readonly=True)
    company_id = LogReference("res.company", string="Company", readonly=True)
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
    result = fields.Text(readonly=True)
    create_date = fields.Datetime(
        string="Date", readonly=True, default=lambda self: fields.Datetime.now()
    )
    # the record's name when it ran (the record may be renamed or deleted)
    record_name = fields.Char(string="Record", compute=False, readonly=True)
    changed_fields = fields.Char(
        string="Changed fields (technical names)",
        readonly=True,
        help="The watched fields whose change fired the rule, comma-separated.",
    )
    outcome = fields.Json(
        string="Outcome (technical)",
        readonly=True,
        help="One entry per action: its id, done or scheduled, due time and job.",
    )
    event_description = fields.Char(
        string="What happened", compute="_compute_event_description"
    )
    outcome_description = fields.Text(
        string="Actions", compute="_compute_outcome_description"
    )

    def init(self):
        self._drop_unkeyed_foreign_keys()
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
        # The purge and the daily recount read the rows of a date range: a
        # BRIN index (a few pages) instead of a btree, which every bulk-written
        # row paid for (bench/RESULTS.md). Rows are written in date order; once
        # the purge frees pages that later rows reuse, these two daily crons
        # read more of the table, and no edit pays for it.
        self.env.cr.execute("DROP INDEX IF EXISTS crm_workflow_run_create_date_idx")
        tools.create_index(
            self.env.cr,
            "crm_workflow_run_create_date_brin",
            self._table,
            ["create_date"],
            method="brin",
        )
        # the webhook trigger's rate limit counts its recent calls
        tools.create_index(
            self.env.cr,
            "crm_workflow_run_trigger_date_idx",
            self._table,
            ["trigger_id", "create_date"],
            where="trigger_id IS NOT NULL",
        )

    def _drop_unkeyed_foreign_keys(self):
        """The keys that earlier versions made on the references that have
        none now (LogReference), and their reflection in ir_model_constraint."""
        cr = self.env.cr
        cr.execute(
            """SELECT c.conname
                 FROM pg_constraint c
                 JOIN pg_class t ON t.oid = c.conrelid
                 JOIN pg_attribute a
                   ON a.attrelid = t.oid AND a.attnum = ANY(c.conkey)
                WHERE t.relname = %s AND c.contype = 'f' AND a.attname = ANY(%s)""",
            [self._table, list(UNKEYED)],
        )
        names = [row[0] for row in cr.fetchall()]
        for name in names:
            cr.execute(
                SQL(
                    "ALTER TABLE %s DROP CONSTRAINT %s",
                    SQL.identifier(self._table),
                    SQL.identifier(name),
                )
            )
        if names:
            cr.execute(
                "DELETE FROM ir_model_constraint WHERE type = 'f' AND name = ANY(%s)",
                [names],
            )

    @api.depends("rule_id", "robot_id", "trigger_id", "function_id", "record_name")
    def _compute_display_name(self):
        for run in self:
            what = run.rule_id or run.robot_id or run.trigger_id or run.function_id
            head = what.name or ""
            if run.res_id:
                head = f"{head} / {run.record_name or ''}"
            run.display_name = head

    def _compute_event_description(self):
        # the events of every trigger type, in their own words
        kinds = {
            **self.env["crm.workflow.rule"]._trigger_event_labels(),
            **self.env["crm.workflow.trigger"]._trigger_event_labels(),
            "stage_entry": self.env._("Stage entered"),
            "job": self.env._("Scheduled job"),
            "preview": self.env._("Test run"),
        }
        callers = dict(self._fields["caller"]._description_selection(self.env))
        for run in self:
            if run.caller and run.caller not in ("rule", "robot"):
                label = callers.get(run.caller, run.caller)
            else:
                label = kinds.get(run.trigger, run.trigger or "")
            if run.changed_fields and run.res_model in self.env:
                Model = self.env[run.res_model]
                names = [
                    Model._fields[f]._description_string(self.env)
                    if f in Model._fields
                    else f
                    for f in run.changed_fields.split(",")
                ]
                label = self.env._(
                    "%(event)s: %(fields)s", event=label, fields=", ".join(names)
                )
            run.event_description = label

    def _compute_outcome_description(self):
        """The ``outcome`` column in words, with the actions' current names."""
        ids = {entry["action"] for run in self for entry in run.outcome or ()}
        actions = {
            a.id: a.display_name
            for a in self.env["crm.workflow.action"].sudo().browse(ids).exists()
        }
        for run in self:
            lines = []
            for entry in run.outcome or ():
                name = actions.get(entry["action"]) or self.env._(
                    "Action #%(id)s (deleted)", id=entry["action"]
                )
                if entry["state"] == OUTCOME_SCHEDULED:
                    due = fields.Datetime.to_datetime(entry["due"])
                    when = tools.format_datetime(self.env, due)
                    if entry.get("job"):
                        text = self.env._(
                            "%(action)s: scheduled for %(when)s (job #%(job)s)",
                            action=name,
                            when=when,
                            job=entry["job"],
                        )
                    else:
                        text = self.env._(
                            "%(action)s: scheduled for %(when)s",
                            action=name,
                            when=when,
                        )
                else:
                    text = self.env._("%(action)s: done", action=name)
                lines.append(text)
            if run.state == "failed" and run.error:
                lines.append(self.env._("Failed: %(error)s", error=run.error))
            elif run.state == "skipped" and run.error:
                lines.append(self.env._("Skipped: %(reason)s", reason=run.error))
            run.outcome_description = "\n".join(lines)

    @api.model
    def _log_bulk(self, rows):
        """Insert log rows (tuples in LOG_COLUMNS order) with one COPY (a
        batch of 10,000 records and 5 rules is 50,000 rows). Then, for the
        same batch, the records ``first_match`` rules ran for (kept when the
        detail is purged) and the daily report (a row per batch, from the
        batch's rows, which share their create_date)."""
        if not rows:
            return
        stamp = _batch_stamp()
        names = [name for name, __ in LOG_COLUMNS]
        names.append("create_date")
        tail = (fields.Datetime.to_string(stamp) + stamp.strftime(".%f"),)
        if len(rows) <= SMALL_LOG:
            self._log_small(rows, names, tail, stamp)
            return
        buffer = io.StringIO()
        write = buffer.write
        for row in rows:
            write(_copy_line(row + tail))
            write("\n")
        buffer.seek(0)
        self.flush_model()
        self.env.cr.copy_expert(
            f"COPY crm_workflow_run ({', '.join(names)}) FROM STDIN",
            buffer,
        )
        self.env["crm.workflow.rule.done"]._add_from_rows(rows)
        self.env["crm.workflow.run.daily"]._add_batch(stamp, rows)

    @api.model
    def _log_small(self, rows, names, tail, stamp):
        """The rows of a small batch (a form's save), the records first_match
        rules ran for and the daily report in one round trip: COPY's fixed
        cost is more than an INSERT of a few rows (bench/RESULTS.md, issue 26)."""
        # no casts: INSERT coerces each value to its column's type, as COPY
        row_sql = "(" + ", ".join(["%s"] * len(names)) + ")"
        queries = [
            SQL(
                "INSERT INTO crm_workflow_run (%s) VALUES %s",
                SQL(", ").join(SQL.identifier(name) for name in names),
                SQL(", ").join(
                    SQL(row_sql, *[None if v is False else v for v in row + tail])
                    for row in rows
                ),
            ),
            self.env["crm.workflow.rule.done"]._add_from_rows_sql(rows),
            self.env["crm.workflow.run.daily"]._add_batch_sql(stamp, rows),
        ]
        self.flush_model()
        self.env.cr.execute(SQL(";\n").join(q for q in queries if q))

    @api.model
    def _forget(self, fname, ids):
        """ON DELETE of a reference without a foreign key (UNKEYED): the runs
        of a deleted rule go with it (CASCADE), those of a deleted condition,
        user or company keep their row without it (SET NULL)."""
        assert fname in UNKEYED, fname
        if not ids:
            return
        self.flush_model([fname])
        if fname in UNKEYED_CASCADE:
            query = SQL(
                "DELETE FROM crm_workflow_run WHERE %s = ANY(%s)",
                SQL.identifier(fname),
                list(ids),
            )
        else:
            query = SQL(
                "UPDATE crm_workflow_run SET %s = NULL WHERE %s = ANY(%s)",
                SQL.identifier(fname),
                SQL.identifier(fname),
                list(ids),
            )
        self.env.cr.execute(query)
        self.invalidate_model([fname])

    @api.model
    def _purge_days(self):
        return int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("crm_workflow_automation.run_retention_days", 90)
            or 0
        )

    @api.model
    def _cron_purge(self, batch_size=50_000, automatic=True):
        """Delete the runs older than the retention setting, in batches (a
        commit between them when run by the cron). The daily report keeps the
        purged days; the records first_match rules ran for are kept apart."""
        # pylint: disable=invalid-commit  # automatic: the cron's batches only
        days = self._purge_days()
        Daily = self.env["crm.workflow.run.daily"]
        Daily._recount_records(fields.Date.today() - timedelta(days=1))
        if days <= 0:
            return 0
        limit = fields.Datetime.now() - timedelta(days=days)
        self.flush_model()
        purged = 0
        while True:
            self.env.cr.execute(
                """DELETE FROM crm_workflow_run WHERE id IN (
                       SELECT id FROM crm_workflow_run WHERE create_date < %s
                        LIMIT %s)""",
                [limit, batch_size],
            )
            count = self.env.cr.rowcount
            purged += count
            if automatic:
                self.env.cr.commit()
            if count < batch_size:
                break
        if automatic:
            self.env["ir.cron"]._notify_progress(done=purged, remaining=0)
        self.invalidate_model()
        return purged

    @api.model
    def _sync_record_bindings(self):
        """An "Automation" entry in the Action menu of the form of every model
        that has rules (one window action bound to it, as base_automation's
        model menus are): the runs of the record shown. Made when a model gets
        its first rule, removed with its last."""
        Action = self.env["ir.actions.act_window"].sudo()
        Rule = self.env["crm.workflow.rule"].sudo().with_context(active_test=False)
        Rule.flush_model(["model_id", "model_name"])
        wanted = {
            model.model: model
            for model in Rule.search([]).mapped("model_id")
            if model.model in self.env
        }
        existing = Action.search(
            [
                ("res_model", "=", self._name),
                ("binding_model_id", "!=", False),
                ("context", "ilike", BINDING_MARK),
            ]
        )
        (existing.filtered(lambda a: a.binding_model_id.model not in wanted)).unlink()
        bound = set(existing.exists().mapped("binding_model_id.model"))
        group = self.env.ref(
            "crm_workflow_automation.group_workflow_user", raise_if_not_found=False
        )
        langs = [code for code, __ in self.env["res.lang"].get_installed()]
        for name, model in wanted.items():
            if name in bound:
                continue
            action = Action.create(
                {
                    "name": "Automation",
                    "res_model": self._name,
                    "binding_model_id": model.id,
                    "binding_view_types": "form",
                    "view_mode": "list,form",
                    "domain": f"[('res_model', '=', {name!r}), "
                    "('res_id', '=', active_id)]",
                    "context": f"{{'{BINDING_MARK}': 1}}",
                    "groups_id": [(6, 0, group.ids)] if group else [],
                }
            )
            action.update_field_translations(
                "name",
                {
                    lang: self.with_context(lang=lang).env._("Automation")
                    for lang in langs
                },
            )

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
