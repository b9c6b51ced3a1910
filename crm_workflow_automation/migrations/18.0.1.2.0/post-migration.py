# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Functions: the inline code of function actions becomes a function without
arguments, which the action calls (Odoo drops the old column at the end of
the update)."""

import logging

from odoo import SUPERUSER_ID, api
from odoo.exceptions import ValidationError
from odoo.tools import sql

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not sql.column_exists(cr, "crm_workflow_action", "code"):
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
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
        try:
            with cr.savepoint():
                function = env["crm.workflow.function"].create(values)
        except ValidationError as e:
            # code the functions refuse (a bare except:): kept, commented out
            _logger.warning("function of action %s needs a fix: %s", action_id, e)
            commented = "\n".join(f"# {line}" for line in code.splitlines())
            values["code"] = f"{commented}\nraise UserError('Fix this function')\n"
            function = env["crm.workflow.function"].create(values)
        cr.execute(
            "UPDATE crm_workflow_action SET function_id = %s WHERE id = %s",
            [function.id, action_id],
        )
