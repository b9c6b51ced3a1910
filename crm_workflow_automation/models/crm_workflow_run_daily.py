# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import Counter
from decimal import Decimal

from odoo import api, fields, models, tools
from odoo.tools import SQL

from .crm_workflow_engine import _existing
from .crm_workflow_run import LOG_COLUMNS, RAN_STATES

# the columns that identify a row of the report
KEY = (
    "day",
    "rule_id",
    "robot_id",
    "trigger_id",
    "function_id",
    "action_type",
    "company_id",
)
OWNER = ("rule_id", "robot_id", "trigger_id", "function_id")
# where a run-log row (a LOG_COLUMNS tuple) holds a column
_AT = {name: i for i, (name, __) in enumerate(LOG_COLUMNS)}
_OWNER_AT = tuple(_AT[name] for name in OWNER)


class CrmWorkflowRunDaily(models.Model):
    """The status report: per rule (robot, trigger, function) and per day,
    what the run log holds, so that the report of a rule with a million runs
    reads a few hundred rows, and kept when the retention purges the detail.
    The log writer adds a row per batch (plain inserts: concurrent batches of
    one rule never wait for, or conflict on, a shared row, which under
    Odoo's REPEATABLE READ made every concurrent call of a webhook trigger
    but one fail and retry); the daily cron merges a day's rows into one per
    rule (``_compact``), and the report's sums read either.

    A row without ``action_type`` counts the runs; a row with one counts the
    actions of that type that ran."""

    _name = "crm.workflow.run.daily"
    _description = "Workflow status report (daily)"
    _order = "day desc, id desc"
    _log_access = False
    _rec_name = "day"

    day = fields.Date(required=True, readonly=True, index=True)
    rule_id = fields.Many2one(
        "crm.workflow.rule", string="Rule", ondelete="cascade", readonly=True
    )
    robot_id = fields.Many2one(
        "crm.workflow.robot",
        string="Automation rule",
        ondelete="cascade",
        readonly=True,
        index="btree_not_null",
    )
    trigger_id = fields.Many2one(
        "crm.workflow.trigger",
        string="Stage trigger",
        ondelete="cascade",
        readonly=True,
        index="btree_not_null",
    )
    function_id = fields.Many2one(
        "crm.workflow.function",
        string="Function",
        ondelete="cascade",
        readonly=True,
        index="btree_not_null",
    )
    action_type = fields.Selection(
        selection="_selection_action_type", string="Action type", readonly=True
    )
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    run_count = fields.Integer(string="Runs", readonly=True, aggregator="sum")
    record_count = fields.Integer(
        string="Records affected",
        readonly=True,
        aggregator="sum",
        help="Records the runs were about (a record run several times in a day "
        "counts once, from the next day's recount).",
    )
    action_count = fields.Integer(string="Actions", readonly=True, aggregator="sum")
    failed_count = fields.Integer(string="Failures", readonly=True, aggregator="sum")
    duration_total = fields.Float(
        string="Total duration (s)", digits=(16, 4), readonly=True, aggregator="sum"
    )
    duration_avg = fields.Float(
        string="Average duration (s)",
        digits=(16, 4),
        readonly=True,
        aggregator="avg",
        help="Time per run: the total duration divided by the runs (weighted "
        "by the runs in any grouping).",
    )

    def init(self):
        # a row per batch: no unique key (the upsert on one made concurrent
        # batches of a rule conflict)
        self.env.cr.execute("DROP INDEX IF EXISTS crm_workflow_run_daily_key")
        tools.create_index(
            self.env.cr,
            "crm_workflow_run_daily_owner_idx",
            self._table,
            ["day", "rule_id", "robot_id", "trigger_id", "function_id"],
        )

    @api.model
    def _selection_action_type(self):
        return self.env["crm.workflow.action"]._fields["action_type"].selection

    def _read_group_select(self, aggregate_spec, query):
        """The average duration of a group is its total over its runs, not
        the average of the days' averages."""
        if aggregate_spec == "duration_avg:avg":
            return SQL(
                "SUM(%s) / NULLIF(SUM(%s), 0)",
                self._field_to_sql(self._table, "duration_total", query),
                self._field_to_sql(self._table, "run_count", query),
            )
        return super()._read_group_select(aggregate_spec, query)

    # ------------------------------------------------------------------
    # kept by the log writer
    # ------------------------------------------------------------------

    @api.model
    def _add_batch(self, stamp, rows):
        """Add the run-log ``rows`` written at ``stamp`` to the report."""
        query = self._add_batch_sql(stamp, rows)
        if query:
            self.env.cr.execute(query)

    @api.model
    def _add_batch_sql(self, stamp, rows):
        """The insert that adds the run-log ``rows`` written at ``stamp`` (one
        batch) to the report, counted from the rows in memory as
        ``_fill_from_runs`` counts them from the log on upgrade: reading
        25,000 rows back by their date cost two queries and an index on it.
        A rule's row (without action) stands for the instant actions of its
        condition; a scheduled action counts when its job runs, on the job's
        row."""
        rule_at, condition_at, action_at = (
            _AT["rule_id"],
            _AT["condition_id"],
            _AT["action_id"],
        )
        res_at, state_at, duration_at = _AT["res_id"], _AT["state"], _AT["duration"]
        company_at, function_at = _AT["company_id"], _AT["function_id"]
        instant = self._instant_actions(
            _existing(
                self.env["crm.workflow.condition"]
                .sudo()
                .browse(
                    {
                        row[condition_at]
                        for row in rows
                        if row[rule_at] and row[condition_at] and not row[action_at]
                    }
                ),
                ["rule_id"],
            )
        )
        action_types = {
            action.id: action.action_type
            for action in _existing(
                self.env["crm.workflow.action"]
                .sudo()
                .browse({row[action_at] for row in rows if row[action_at]}),
                ["action_type"],
            )
        }
        runs, actions, seconds = {}, Counter(), {}
        for row in rows:
            # False is how the ORM says "empty": NULL in an int4 column
            owner = tuple(row[at] or None for at in _OWNER_AT)
            company = row[company_at] or None
            entry = runs.get((owner, company))
            if entry is None:
                entry = runs[(owner, company)] = [0, set(), 0, Decimal(0), 0]
            entry[0] += 1
            if row[res_at] is not None and row[res_at] is not False:
                entry[1].add(row[res_at])
            if row[state_at] == "failed":
                entry[2] += 1
            duration = row[duration_at]
            if duration is not None and duration is not False:
                if duration not in seconds:
                    # summed as PostgreSQL sums the numeric column
                    seconds[duration] = Decimal(str(duration))
                entry[3] += seconds[duration]
                entry[4] += 1
            if row[state_at] not in RAN_STATES:
                continue
            if row[action_at]:
                kinds = ()
                if not row[function_at] and row[action_at] in action_types:
                    kinds = (action_types[row[action_at]],)
            else:
                kinds = instant.get(row[condition_at], ())
            for kind in kinds:
                actions[(owner, kind, company)] += 1
        day = stamp.date()
        values = [
            (
                day,
                *owner,
                None,
                company,
                count,
                len(records),
                0,
                failed,
                total,
                total / timed if timed else 0,
            )
            for (owner, company), (count, records, failed, total, timed) in runs.items()
        ]
        values += [
            (day, *owner, kind, company, 0, 0, count, 0, 0, 0)
            for (owner, kind, company), count in actions.items()
        ]
        if not values:
            return None
        return SQL(
            """INSERT INTO crm_workflow_run_daily
                   (day, rule_id, robot_id, trigger_id, function_id, action_type,
                    company_id, run_count, record_count, action_count,
                    failed_count, duration_total, duration_avg)
               VALUES %s""",
            SQL(", ").join(SQL("%s", value) for value in values),
        )

    @api.model
    def _instant_actions(self, conditions):
        """{condition id: [action type]} of the actions a rule's row stands
        for: those run in the rule's own transaction."""
        return {
            condition.id: [
                action.action_type
                for action in condition.action_ids
                if action.timing == "instant" and not action._requires_job()
            ]
            for condition in conditions
        }

    @api.model
    def _fill_from_runs(self):
        """On upgrade: the report of the runs already in the log, counted in
        SQL (a batch counts its own rows in memory: ``_add_batch``)."""
        cr = self.env.cr
        cr.execute("DELETE FROM crm_workflow_run_daily")
        condition_actions = self._instant_actions(
            self.env["crm.workflow.condition"].sudo().search([])
        )
        owner = SQL(", ").join(SQL.identifier("r", name) for name in OWNER)
        cr.execute(
            SQL(
                """
            INSERT INTO crm_workflow_run_daily
                   (day, rule_id, robot_id, trigger_id, function_id, action_type,
                    company_id, run_count, record_count, action_count, failed_count,
                    duration_total, duration_avg)
            SELECT r.create_date::date, %(owner)s, NULL, r.company_id,
                   count(*), count(DISTINCT r.res_id), 0,
                   count(*) FILTER (WHERE r.state = 'failed'),
                   coalesce(sum(r.duration), 0),
                   coalesce(avg(r.duration), 0)
              FROM crm_workflow_run r
             GROUP BY r.create_date::date, %(owner)s, r.company_id
            """,
                owner=owner,
            )
        )
        conditions = [
            (cid, kind) for cid, kinds in condition_actions.items() for kind in kinds
        ]
        cr.execute(
            SQL(
                """
            WITH ca AS (
                SELECT * FROM unnest(%(cids)s::int4[], %(kinds)s::varchar[])
                    AS ca(condition_id, action_type)
            )
            INSERT INTO crm_workflow_run_daily
                   (day, rule_id, robot_id, trigger_id, function_id, action_type,
                    company_id, run_count, record_count, action_count, failed_count,
                    duration_total, duration_avg)
            SELECT r.create_date::date, %(owner)s,
                   coalesce(a.action_type, ca.action_type), r.company_id,
                   0, 0, count(*), 0, 0, 0
              FROM crm_workflow_run r
              LEFT JOIN crm_workflow_action a
                ON a.id = r.action_id AND r.function_id IS NULL
              LEFT JOIN ca
                ON r.action_id IS NULL AND ca.condition_id = r.condition_id
             WHERE r.state IN ('done', 'partial')
               AND coalesce(a.action_type, ca.action_type) IS NOT NULL
             GROUP BY r.create_date::date, %(owner)s,
                      coalesce(a.action_type, ca.action_type), r.company_id
            """,
                owner=owner,
                cids=[c for c, __ in conditions],
                kinds=[k for __, k in conditions],
            )
        )
        self.invalidate_model()

    @api.model
    def _recount_records(self, day):
        """The records affected of ``day``, counted again from the run log:
        the log writer adds each batch's distinct records, so a record run
        twice that day counted twice until this recount (the purge cron's)."""
        self._compact(day)
        self.env["crm.workflow.run"].flush_model()
        owner = SQL(", ").join(SQL.identifier("r", name) for name in OWNER)
        same = SQL(" AND ").join(
            SQL("d.%s IS NOT DISTINCT FROM x.%s", SQL.identifier(n), SQL.identifier(n))
            for n in (*OWNER, "company_id")
        )
        self.env.cr.execute(
            SQL(
                """
            UPDATE crm_workflow_run_daily d SET record_count = x.n
              FROM (SELECT %(owner)s, r.company_id, count(DISTINCT r.res_id) AS n
                      FROM crm_workflow_run r
                     WHERE r.create_date >= %(start)s
                       AND r.create_date < %(start)s::date + 1
                     GROUP BY %(owner)s, r.company_id) x
             WHERE d.day = %(start)s AND d.action_type IS NULL AND %(same)s
            """,
                owner=owner,
                start=day,
                same=same,
            )
        )
        self.invalidate_model()

    @api.model
    def _compact(self, day):
        """The rows of ``day`` merged into one per rule (robot, trigger,
        function), action type and company; sums kept, the average duration
        weighted by the runs."""
        self.flush_model()
        keys = SQL(", ").join(SQL.identifier(name) for name in KEY)
        self.env.cr.execute(
            SQL(
                """
            WITH gone AS (
                DELETE FROM crm_workflow_run_daily WHERE day = %(day)s RETURNING *
            )
            INSERT INTO crm_workflow_run_daily
                   (%(keys)s, run_count, record_count, action_count, failed_count,
                    duration_total, duration_avg)
            SELECT %(keys)s, sum(run_count), sum(record_count), sum(action_count),
                   sum(failed_count), sum(duration_total),
                   coalesce(sum(duration_total) / NULLIF(sum(run_count), 0), 0)
              FROM gone
             GROUP BY %(keys)s
            """,
                day=day,
                keys=keys,
            )
        )
        self.invalidate_model()
