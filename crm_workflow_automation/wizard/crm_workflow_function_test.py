# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import contextlib
import json
import time

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..exceptions import FunctionError
from ..runtime.http_helper import json_default
from .crm_workflow_function_call import dialog_action


class _RolledBack(Exception):
    """Ends the test's savepoint: nothing of a test run is kept."""


class CrmWorkflowFunctionTest(models.TransientModel):
    """The Test button of a function: one run on a chosen record with chosen
    arguments, inside a savepoint that is always rolled back."""

    _name = "crm.workflow.function.test"
    _description = "Test a Workflow Function"

    function_id = fields.Many2one(
        "crm.workflow.function", required=True, ondelete="cascade", readonly=True
    )
    model_name = fields.Char(related="function_id.model_name")
    record_ref = fields.Reference(selection="_selection_models", string="Record")
    args_text = fields.Text(string="Arguments (JSON)", default="{}")
    state = fields.Selection(
        [("draft", "Not run"), ("done", "Succeeded"), ("failed", "Failed")],
        string="Status",
        default="draft",
        readonly=True,
    )
    result = fields.Text(readonly=True)
    log_text = fields.Text(string="Log", readonly=True)
    duration = fields.Float(string="Duration (s)", digits=(16, 4), readonly=True)
    error = fields.Text(readonly=True)
    error_line = fields.Integer(string="Line", readonly=True)

    @api.model
    def _selection_models(self):
        return [(m.model, m.name) for m in self.env["ir.model"].sudo().search([])]

    def _action_open(self):
        return dialog_action(self, self.env._("Test the function"))

    def action_run(self):
        self.ensure_one()
        function = self.function_id
        function._check_may_run()
        model = function.sudo().model_name
        record = self.record_ref
        if model and record and record._name != model:
            raise UserError(
                self.env._("Choose a record of type “%(model)s”.", model=model)
            )
        try:
            raw = json.loads(self.args_text or "{}")
        except ValueError as e:
            raise UserError(
                self.env._("The arguments are not valid JSON: %(error)s", error=e)
            ) from e
        records = record.with_env(self.env) if record else None
        args = function._prepare_args(raw)
        log_lines, outcome = [], {}
        started = time.perf_counter()
        engine = self.env["crm.workflow.engine"]
        with contextlib.suppress(_RolledBack), engine._savepoint():
            try:
                if records is None:
                    records = (self.env[model] if model else self.env.user).browse()
                outcome["result"] = function._execute(records, args, {}, log_lines)
            except FunctionError as e:
                outcome["error"] = e
            raise _RolledBack
        values = {
            "duration": time.perf_counter() - started,
            "log_text": "\n".join(log_lines),
        }
        error = outcome.get("error")
        if error is not None:
            values.update(
                state="failed",
                error=str(error),
                error_line=error.line or 0,
                result=False,
            )
        else:
            values.update(
                state="done",
                error=False,
                error_line=0,
                result=json.dumps(
                    outcome.get("result"),
                    default=json_default,
                    indent=2,
                    ensure_ascii=False,
                ),
            )
        self.write(values)
        return self._action_open()
