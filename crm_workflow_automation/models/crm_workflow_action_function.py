# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import safe_eval

_logger = logging.getLogger(__name__)


class CrmWorkflowAction(models.Model):
    _inherit = "crm.workflow.action"

    action_type = fields.Selection(
        selection_add=[("function", "Function")], ondelete={"function": "cascade"}
    )
    code = fields.Text(
        string="Python code",
        groups="crm_workflow_automation.group_workflow_developer",
        help="Runs once per batch in Odoo's sandbox. Available: env, records, "
        "record (when there is one), model, data, log, datetime, relativedelta, "
        "UserError.",
    )

    @api.model
    def _code_fields(self):
        return super()._code_fields() + ("code",)

    def _runs_on_deleted_records(self):
        return self.action_type == "function" or super()._runs_on_deleted_records()

    def _check_function(self):
        code = (self.sudo().code or "").strip()
        if not code:
            self._raise_config(self.env._("enter the Python code to run."))
        try:
            message = safe_eval.test_python_expr(code, mode="exec")
        except NameError as e:  # a forbidden name (``__class__``) is raised
            message = str(e)
        if message:
            self._raise_config(
                self.env._("the code does not compile: %(error)s", error=message)
            )

    def _function_context(self, records, run):
        def log(message, level="info"):
            getattr(
                _logger,
                level if level in ("debug", "info", "warning", "error") else "info",
            )("%s: %s", self._owner().name, message)

        return {
            "env": records.env,
            "model": records.browse(),
            "records": records,
            "record": records if len(records) == 1 else None,
            "data": run.data if run is not None else {},
            "log": log,
            "datetime": safe_eval.datetime,
            "relativedelta": safe_eval.dateutil.relativedelta.relativedelta,
            "time": safe_eval.time,
            "UserError": UserError,
        }

    def _run_function(self, records, run):
        code = (self.sudo().code or "").strip()
        safe_eval.safe_eval(
            code,
            self._function_context(records, run),
            mode="exec",
            filename=f"crm.workflow.action({self.id})",
        )
