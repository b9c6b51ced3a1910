# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A run's ``outcome`` is JSON (jsonb): the text lines "<action id> <code>[
<due date> <due time>[ <job id>]]" become [{"action": id, "state": code,
"due": ..., "job": ...}] before the ORM meets the column (it would set a text
column aside as ``outcome_moved0``). An expression of ALTER ... USING cannot
hold the subquery that splits the lines: the JSON goes into a new column,
which replaces the old one."""

from odoo.tools import sql

TABLE = "crm_workflow_run"


def migrate(cr, version):
    column = sql.table_columns(cr, TABLE).get("outcome")
    if not column or column["udt_name"] != "text":
        return  # no runs logged their outcome yet, or converted already
    cr.execute("ALTER TABLE crm_workflow_run ADD COLUMN outcome_json jsonb")
    # a line's parts: action id, code, due date and time, job id (the last
    # three for a scheduled action only); keys without a value are left out
    cr.execute(
        r"""
        UPDATE crm_workflow_run r
           SET outcome_json = (
               SELECT jsonb_agg(
                          jsonb_strip_nulls(jsonb_build_object(
                              'action', split_part(line, ' ', 1)::int4,
                              'state', split_part(line, ' ', 2),
                              'due', nullif(concat_ws(' ',
                                  nullif(split_part(line, ' ', 3), ''),
                                  nullif(split_part(line, ' ', 4), '')), ''),
                              'job', nullif(split_part(line, ' ', 5), '')::int4
                          ))
                          ORDER BY n)
                 FROM unnest(string_to_array(r.outcome, E'\n'))
                      WITH ORDINALITY AS l(line, n)
                WHERE btrim(line) != '')
         WHERE coalesce(r.outcome, '') != ''
        """
    )
    cr.execute("ALTER TABLE crm_workflow_run DROP COLUMN outcome")
    sql.rename_column(cr, TABLE, "outcome_json", "outcome")
