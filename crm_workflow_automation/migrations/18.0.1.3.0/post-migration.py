# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Run log retention: first_match rules read the records they ran for from
their own table, and the status report from its daily table; both are
filled from the runs already logged (before any purge). The runs logged
before this version get the current name of their record."""

from odoo import SUPERUSER_ID, api

CHUNK = 10_000


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
    env["crm.workflow.rule.done"]._fill_from_runs()
    env["crm.workflow.run.daily"]._fill_from_runs()
    cr.execute(
        "SELECT res_model, array_agg(DISTINCT res_id) FROM crm_workflow_run"
        " WHERE record_name IS NULL AND res_id IS NOT NULL GROUP BY res_model"
    )
    for model, ids in cr.fetchall():
        if model not in env:
            continue
        for start in range(0, len(ids), CHUNK):
            records = env[model].browse(ids[start : start + CHUNK]).exists()
            if not records:
                continue
            cr.execute(
                """UPDATE crm_workflow_run r SET record_name = v.name
                     FROM unnest(%s::int4[], %s::varchar[]) AS v(id, name)
                    WHERE r.res_model = %s AND r.res_id = v.id
                      AND r.record_name IS NULL""",
                [records.ids, [r.display_name or "" for r in records], model],
            )
