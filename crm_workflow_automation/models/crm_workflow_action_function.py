# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import safe_eval


class CrmWorkflowAction(models.Model):
    """The action type ``function``: a call of a reusable
    ``crm.workflow.function``, with one line per argument (a fixed value or
    an expression of the record)."""

    _inherit = "crm.workflow.action"

    action_type = fields.Selection(
        selection_add=[("function", "Function")], ondelete={"function": "cascade"}
    )
    function_id = fields.Many2one(
        "crm.workflow.function",
        string="Function to call",
        ondelete="restrict",
        domain="['|', ('model_id', '=', False), ('model_id', '=', model_id)]",
    )
    function_argument_ids = fields.One2many(
        "crm.workflow.action.argument",
        "action_id",
        string="Arguments of the function",
        copy=True,
    )

    @api.model
    def _version_parts(self):
        return super()._version_parts() + ("function_argument_ids",)

    @api.onchange("function_id")
    def _onchange_function_id(self):
        """One line per argument of the chosen function, with its default."""
        self.function_argument_ids = [Command.clear()] + [
            Command.create({"argument_id": arg.id, "value": arg.default or False})
            for arg in self.function_id.argument_ids
        ]

    def _runs_on_deleted_records_function(self):
        """A function may record, or report elsewhere, what is being deleted."""
        return True

    def _check_function(self):
        function = self.function_id
        if not function:
            self._raise_config(self.env._("choose the function to call."))
        if function.model_id and function.model_id != self.model_id:
            self._raise_config(
                self.env._(
                    "the function “%(name)s” works on another kind of record.",
                    name=function.name,
                )
            )
        if not function._may_run(self.env.user):
            self._raise_config(
                self.env._(
                    "you are not allowed to run the function “%(name)s”.",
                    name=function.name,
                )
            )
        lines = {line.argument_id: line for line in self.function_argument_ids}
        for line in self.function_argument_ids:
            if line.argument_id.function_id != function:
                self._raise_config(
                    self.env._(
                        "the argument “%(name)s” is not an argument of the function.",
                        name=line.name,
                    )
                )
            if line.mode == "expression":
                problem = self._expression_error(line.expression, argument=line.name)
                if problem:
                    self._raise_config(problem)
            elif line.value:
                try:
                    line.argument_id._convert(
                        line.value, from_text=True, check_exists=False
                    )
                except UserError as e:
                    self._raise_config(str(e))
        for arg in function.argument_ids:
            line = lines.get(arg)
            given = line and (
                line.expression if line.mode == "expression" else line.value
            )
            if arg.required and not arg.default and not given:
                self._raise_config(
                    self.env._(
                        "give a value to the argument “%(name)s”.", name=arg.name
                    )
                )

    def _function_raw_args(self, records, run=None):
        """[(records, raw arguments)]: fixed values for the whole batch;
        records whose expressions give the same values share one call."""
        fixed, expressions = {}, []
        for line in self.function_argument_ids:
            arg = line.argument_id
            if line.mode == "expression" and (line.expression or "").strip():
                expressions.append((arg, line.expression.strip()))
            elif line.value:
                kind = arg.arg_type
                text = line.value
                fixed[arg.name] = (
                    text
                    if kind in ("char", "date", "datetime")
                    else arg._parse_text(text)
                )
        if not expressions:
            return [(records, fixed)]
        context = self._expression_context(records, run)
        groups = {}
        for record in records:
            raw = dict(fixed)
            for arg, code in expressions:
                value = safe_eval.safe_eval(code, dict(context, record=record))
                if isinstance(value, models.BaseModel):
                    value = value.id if arg.arg_type == "record" else value.ids
                elif arg.arg_type in ("date", "datetime") and value:
                    value = (
                        fields.Datetime.to_string(value)
                        if (arg.arg_type == "datetime")
                        else fields.Date.to_string(value)
                    )
                raw[arg.name] = value
            key = json.dumps(raw, sort_keys=True, default=str)
            groups.setdefault(key, [raw, []])[1].append(record.id)
        return [(records.browse(ids), raw) for raw, ids in groups.values()]

    def _run_function(self, records, run):
        """Call the function on the batch, as the user who triggered the rule
        (whoever configured the action was allowed to run it)."""
        function = self.function_id.with_env(records.env)
        caller = "robot" if self._owner()._name == "crm.workflow.robot" else "rule"
        for batch, raw in self._function_raw_args(records, run):
            function._call(
                batch, raw, caller=caller, run=run, check_access=False, action=self
            )

    def _test_function(self, records, run):
        """The function's result and log, from a run that the test's
        savepoint undoes (nothing is logged)."""
        function = self.function_id.with_env(records.env)
        parts = []
        for batch, raw in self._function_raw_args(records):
            args = function._prepare_args(raw)
            log_lines = []
            result = function._execute(batch, args, dict(run.data), log_lines)
            parts.append(
                self.env._(
                    "Result: %(result)s",
                    result=json.dumps(result, default=str, ensure_ascii=False),
                )
            )
            if log_lines:
                parts.append(self.env._("Log:\n%(log)s", log="\n".join(log_lines)))
        return "\n".join(parts)
