# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The run log's condition, user and company have no foreign key any more
(crm_workflow_run.LogReference): drop the keys that earlier versions made,
and their reflection in ir_model_constraint."""

COLUMNS = ("condition_id", "user_id", "company_id")


def migrate(cr, version):
    cr.execute(
        """SELECT c.conname
             FROM pg_constraint c
             JOIN pg_class t ON t.oid = c.conrelid
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(c.conkey)
            WHERE t.relname = 'crm_workflow_run' AND c.contype = 'f'
              AND a.attname = ANY(%s)""",
        [list(COLUMNS)],
    )
    names = [row[0] for row in cr.fetchall()]
    for name in names:
        cr.execute(f'ALTER TABLE crm_workflow_run DROP CONSTRAINT "{name}"')
    if names:
        cr.execute(
            "DELETE FROM ir_model_constraint WHERE type = 'f' AND name = ANY(%s)",
            [names],
        )
