# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL

from .crm_workflow_run import LOG_COLUMNS

RAN_STATES = ("done", "partial")
# where a run-log row (a LOG_COLUMNS tuple) holds the columns read here
_RULE, _RES_ID, _STATE = (
    [name for name, __ in LOG_COLUMNS].index(name)
    for name in ("rule_id", "res_id", "state")
)


class CrmWorkflowRuleDone(models.Model):
    """The records a ``first_match`` rule has run for: what ``first_match``
    needs, apart from the run log, whose detail the retention purges."""

    _name = "crm.workflow.rule.done"
    _description = "Workflow rule already run for a record"
    _log_access = False

    rule_id = fields.Many2one(
        "crm.workflow.rule", required=True, ondelete="cascade", readonly=True
    )
    res_id = fields.Integer(string="Record ID", required=True, readonly=True)

    _sql_constraints = [
        ("rule_record_uniq", "unique(rule_id, res_id)", "Once per rule and record."),
    ]

    @api.model
    def _add_from_rows(self, rows):
        """Keep the records of ``rows`` (run-log tuples) that a first_match
        rule ran for; one query, only when such a rule is in the batch."""
        query = self._add_from_rows_sql(rows)
        if query:
            self.env.cr.execute(query)

    @api.model
    def _add_from_rows_sql(self, rows):
        """The query of ``_add_from_rows``, None when there is nothing to keep."""
        rule_ids = {row[_RULE] for row in rows if row[_RULE]}
        if not rule_ids:
            return None
        Rule = self.env["crm.workflow.rule"].sudo().with_context(active_test=False)
        first = set(
            Rule.browse(rule_ids).filtered(lambda r: r.repeat_mode == "first_match").ids
        )
        if not first:
            return None
        pairs = {
            (row[_RULE], row[_RES_ID])
            for row in rows
            if row[_RULE] in first and row[_RES_ID] and row[_STATE] in RAN_STATES
        }
        if not pairs:
            return None
        rules, records = zip(*pairs, strict=True)
        return SQL(
            """INSERT INTO crm_workflow_rule_done (rule_id, res_id)
               SELECT * FROM unnest(%s::int4[], %s::int4[])
               ON CONFLICT (rule_id, res_id) DO NOTHING""",
            list(rules),
            list(records),
        )

    @api.model
    def _done_ids(self, rule, ids):
        self.env.cr.execute(
            "SELECT res_id FROM crm_workflow_rule_done"
            " WHERE rule_id = %s AND res_id = ANY(%s)",
            [rule.id, list(ids)],
        )
        return {row[0] for row in self.env.cr.fetchall()}

    @api.model
    def _fill_from_runs(self, rule_ids=None):
        """The records first_match rules already ran for, from the run log: on
        upgrade, and when a rule becomes first_match."""
        self.env["crm.workflow.run"].flush_model()
        self.env["crm.workflow.rule"].flush_model(["repeat_mode"])
        where = SQL("AND ru.id = ANY(%s)", list(rule_ids)) if rule_ids else SQL()
        self.env.cr.execute(
            SQL(
                """INSERT INTO crm_workflow_rule_done (rule_id, res_id)
               SELECT DISTINCT r.rule_id, r.res_id
                 FROM crm_workflow_run r
                 JOIN crm_workflow_rule ru ON ru.id = r.rule_id
                WHERE ru.repeat_mode = 'first_match' AND r.res_id IS NOT NULL
                  AND r.state IN %s %s
               ON CONFLICT (rule_id, res_id) DO NOTHING""",
                RAN_STATES,
                where,
            )
        )
