# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Functions: the inline code of function actions becomes a function without
arguments, which the action calls (Odoo drops the old column at the end of
the update). The code is kept as it was written: a bare ``except:`` runs as
``except Exception:`` (function_sandbox.catch_errors_only); code the sandbox
still refuses is kept too, and its function flagged for review with a task
for the rules' responsibles, never replaced (18.0.1.7.0 restores what an
earlier version of this script replaced)."""

from odoo import SUPERUSER_ID, api
from odoo.exceptions import ValidationError
from odoo.tools import sql


def migrate(cr, version):
    if not sql.column_exists(cr, "crm_workflow_action", "code"):
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    Function = env["crm.workflow.function"]
    cr.execute(
        "SELECT id, code, model_id FROM crm_workflow_action"
        " WHERE action_type = 'function' AND function_id IS NULL"
        " AND coalesce(code, '') != ''"
    )
    for action_id, code, model_id in cr.fetchall():
        action = env["crm.workflow.action"].browse(action_id)
        values = {
            "name": action.name or f"Action {action_id}",
            "api_name": f"action_{action_id}",
            "model_id": model_id,
            "code": code,
        }
        refused = False
        try:
            with cr.savepoint():
                function = Function.create(values)
        except ValidationError:
            refused = True
            function = Function.create(dict(values, code="result = None"))
            # the constraint refuses it: written as it was, in SQL
            cr.execute(
                "UPDATE crm_workflow_function SET code = %s WHERE id = %s",
                [code, function.id],
            )
            function.invalidate_recordset(["code"])
        cr.execute(
            "UPDATE crm_workflow_action SET function_id = %s WHERE id = %s",
            [function.id, action_id],
        )
        action.invalidate_recordset(["function_id"])
        if refused:
            function._flag_for_review("refused")
