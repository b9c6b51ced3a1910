# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging
import re
import time

from psycopg2.errors import QueryCanceled

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import safe_eval

from ..exceptions import FunctionError
from ..runtime import sandbox
from ..runtime.http_helper import HttpHelper, json_default

_logger = logging.getLogger(__name__)

API_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
CALLERS = [
    ("rule", "Workflow rule"),
    ("robot", "Robot"),
    ("button", "Button"),
    ("schedule", "Schedule"),
    ("http", "HTTP"),
]
DEVELOPER = "crm_workflow_automation.group_workflow_developer"
SUMMARY_SIZE = 500


class CrmWorkflowFunction(models.Model):
    """A reusable script, called from rules and robots (action type
    ``function``), from a button, on a schedule and over HTTP."""

    _name = "crm.workflow.function"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "crm.workflow.run.owner.mixin",
        "crm.workflow.versioned.mixin",
    ]
    _run_owner_field = "function_id"
    _description = "Workflow Function"
    _order = "name, id"

    name = fields.Char(required=True, translate=True)
    api_name = fields.Char(
        string="API name",
        required=True,
        copy=False,
        help="Technical name, used in the URL /crm_workflow/function/<API name>.",
    )
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)
    model_id = fields.Many2one(
        "ir.model",
        string="Record type",
        ondelete="cascade",
        help="The kind of record the function works on (record / records); "
        "leave empty for a function that works on no record.",
    )
    model_name = fields.Char(related="model_id.model", string="Model")
    code = fields.Text(
        string="Python code",
        groups="crm_workflow_automation.group_workflow_manager",
        default="# args: the arguments; record / records: the records;\n"
        "# data: values of earlier actions; log('text'); http.get/post(...)\n"
        "result = None\n",
        help="Runs in Odoo's sandbox. Available: env, record, records, args, data, "
        "log(message, level), datetime, dateutil, json, http, UserError. Assign "
        "result to return a value.",
    )
    argument_ids = fields.One2many(
        "crm.workflow.function.argument", "function_id", string="Arguments", copy=True
    )
    group_ids = fields.Many2many(
        "res.groups",
        "crm_workflow_function_group_rel",
        "function_id",
        "group_id",
        string="Allowed groups",
        default=lambda self: self.env.ref(
            "crm_workflow_automation.group_workflow_manager", raise_if_not_found=False
        ),
        help="Users of these groups may run the function from its button and over "
        "HTTP, and use it in rules.",
    )
    time_budget = fields.Float(
        string="Time budget (s)",
        default=10.0,
        help="A call running longer is stopped and logged as failed.",
    )
    button_visible = fields.Boolean(
        string="Show as button on the record",
        help="Adds the function to the Action menu of its record type, for its "
        "allowed groups.",
    )
    button_action_id = fields.Many2one(
        "ir.actions.server", string="Button action", readonly=True, copy=False
    )
    schedule_ids = fields.One2many(
        "crm.workflow.function.schedule", "function_id", string="Schedules"
    )
    review_reason = fields.Selection(
        [
            ("restored", "Code restored by an upgrade"),
            ("refused", "Code kept by an upgrade, refused by the sandbox"),
        ],
        string="Needs review",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="An upgrade changed what this function does, or kept code that "
        "cannot run: check it, then mark it as reviewed.",
    )
    code_problem = fields.Char(compute="_compute_code_problem", string="Problem")
    run_ids = fields.One2many("crm.workflow.run", "function_id", string="Call log")
    run_count = fields.Integer(compute="_compute_run_count", string="Number of calls")

    _sql_constraints = [
        ("api_name_unique", "unique(api_name)", "Another function has this API name.")
    ]

    def _compute_run_count(self):
        counts = dict(
            self.env["crm.workflow.run"]._read_group(
                [("function_id", "in", self.ids)], ["function_id"], ["__count"]
            )
        )
        for function in self:
            function.run_count = counts.get(function, 0)

    @api.depends("code")
    def _compute_code_problem(self):
        for function in self:
            function.code_problem = function.sudo()._code_problem() or False

    # ------------------------------------------------------------------
    # constraints and CRUD
    # ------------------------------------------------------------------

    @api.constrains("api_name")
    def _check_api_name(self):
        for function in self:
            if not API_NAME.match(function.api_name or ""):
                raise ValidationError(
                    self.env._(
                        "The API name “%(name)s” must start with a lowercase letter "
                        "and contain only lowercase letters, digits and _ (for "
                        "example invoice_paid).",
                        name=function.api_name,
                    )
                )

    @api.constrains("code")
    def _check_code(self):
        for function in self:
            problem = function._code_problem()
            if problem:
                raise ValidationError(problem)

    @api.constrains("time_budget")
    def _check_time_budget(self):
        for function in self:
            if not 0 < function.time_budget <= 600:
                raise ValidationError(
                    self.env._("The time budget must be between 0 and 600 seconds.")
                )

    def _code_problem(self):
        """Why the code cannot run, or False."""
        code = (self.code or "").strip()
        if not code:
            return self.env._("The function “%(name)s” has no code.", name=self.name)
        message = sandbox.compile_problem(code)
        if message:
            return self.env._(
                "The code of “%(name)s” does not compile: %(error)s",
                name=self.name,
                error=message,
            )
        swallow = sandbox.swallowing_construct(code)
        if swallow:
            return self.env._(
                "The code of “%(name)s” cannot be stopped by its time budget at "
                "line %(line)s: %(problem)s.",
                name=self.name,
                line=swallow[1],
                problem=self.env._("return, break or continue in a finally block"),
            )
        return False

    @api.model
    def _check_code_access(self, vals):
        """Code is for Workflow Developers only: it runs with the ORM's full
        power, whatever the sandbox forbids."""
        if "code" not in vals or self.env.su or self.env.user.has_group(DEVELOPER):
            return
        if all(f.code == vals["code"] for f in self) and self:
            return
        raise AccessError(
            self.env._("Only Workflow Developers may write the code of functions.")
        )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self.browse()._check_code_access(vals)
        functions = super().create(vals_list)
        functions._sync_button()
        return functions

    def write(self, vals):
        self._check_code_access(vals)
        res = super().write(vals)
        if {"button_visible", "model_id", "group_ids", "name", "active"} & set(vals):
            self._sync_button()
        if "active" in vals:
            self.schedule_ids._sync_cron()
        return res

    def unlink(self):
        """The button and the schedules' crons belong to the function."""
        self.schedule_ids.unlink()
        actions = self.sudo().button_action_id
        res = super().unlink()
        actions.unlink()
        return res

    # ------------------------------------------------------------------
    # versions (crm.workflow.versioned.mixin); its schedules are not part of
    # them: a schedule is its own record, with its own cron
    # ------------------------------------------------------------------

    @api.model
    def _version_parts(self):
        return super()._version_parts() + ("argument_ids",)

    @api.model
    def _version_kept_fields(self):
        return super()._version_kept_fields() | {"api_name"}

    @api.model
    def _version_kind(self):
        return self.env._("Function")

    def _version_target_model(self):
        return self.model_name or ""

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for function, vals in zip(self, vals_list, strict=True):
            vals.setdefault("api_name", f"{function.api_name}_copy")
            vals.setdefault("name", self.env._("%s (copy)", function.name))
        return vals_list

    # ------------------------------------------------------------------
    # the button: an ir.actions.server bound to the record's Action menu
    # ------------------------------------------------------------------

    def _sync_button(self):
        """Make, update or remove the server action of each function's button
        (as superuser: Workflow Managers may not write server actions)."""
        for function in self.sudo():
            action = function.button_action_id
            wanted = function.button_visible and function.model_id and function.active
            if not wanted:
                if action:
                    function.button_action_id = False
                    action.unlink()
                continue
            values = {
                "name": function.name,
                "model_id": function.model_id.id,
                "binding_model_id": function.model_id.id,
                "binding_type": "action",
                "binding_view_types": "list,form",
                "state": "code",
                "code": f"action = env['crm.workflow.function'].browse({function.id})"
                ".run_button(records)",
                "groups_id": [Command.set(function.group_ids.ids)],
            }
            if action:
                action.write(values)
            else:
                function.button_action_id = function.env["ir.actions.server"].create(
                    values
                )

    def run_button(self, records):
        """The button was clicked on ``records``: ask for the arguments that
        have no default, else run now. Returns an action for the client."""
        self.ensure_one()
        self._check_may_run()
        if any(a.required and not a.default for a in self.sudo().argument_ids):
            wizard = self.env["crm.workflow.function.call"].create(
                {
                    "function_id": self.id,
                    "res_model": records._name,
                    "res_ids": json.dumps(records.ids),
                    "line_ids": [
                        Command.create({"argument_id": arg.id, "value": arg.default})
                        for arg in self.sudo().argument_ids
                    ],
                }
            )
            return wizard._action_open()
        return self._run_from_button(records, {})

    def _run_from_button(self, records, args, from_text=False):
        try:
            result = self._call(records, args, caller="button", from_text=from_text)
        except FunctionError as e:
            return self._notification(str(e), "danger")
        if result is None:
            return {"type": "ir.actions.client", "tag": "soft_reload"}
        return self._notification(self._summary(result), "success")

    def _notification(self, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.name,
                "message": message,
                "type": kind,
                "sticky": kind == "danger",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------------
    # calling a function
    # ------------------------------------------------------------------

    def _may_run(self, user=None):
        user = user or self.env.user
        groups = self.sudo().group_ids
        return user._is_superuser() or bool(groups & user.groups_id)

    def _check_may_run(self):
        if not self.env.su and not self._may_run():
            raise AccessError(
                self.env._(
                    "You are not allowed to run the function “%(name)s”.",
                    name=self.sudo().name,
                )
            )

    def _prepare_args(self, raw, from_text=False):
        """The ``args`` of a call: ``raw`` validated and converted by the
        argument definitions; unknown names are refused."""
        raw = raw or {}
        if not isinstance(raw, dict):
            raise UserError(self.env._("The arguments must be a JSON object."))
        arguments = self.sudo().argument_ids
        unknown = set(raw) - set(arguments.mapped("name"))
        if unknown:
            raise UserError(
                self.env._(
                    "The function “%(function)s” has no argument %(names)s.",
                    function=self.name,
                    names=", ".join(sorted(unknown)),
                )
            )
        return {
            arg.name: arg.with_env(self.env)._value(
                arg.name in raw, raw.get(arg.name), from_text=from_text
            )
            for arg in arguments
        }

    def _sandbox_context(self, records, args, data, log_lines, deadline):
        function = self.sudo()

        def log(message, level="info"):
            level = level if level in ("debug", "info", "warning", "error") else "info"
            log_lines.append(f"{level.upper()}: {message}")
            getattr(_logger, level)("function %s: %s", function.api_name, message)

        return {
            "env": records.env,
            "records": records,
            "record": records if len(records) == 1 else None,
            "model": records.browse(),
            "args": args,
            "data": data,
            "log": log,
            "datetime": safe_eval.datetime,
            "dateutil": safe_eval.dateutil,
            "relativedelta": safe_eval.dateutil.relativedelta.relativedelta,
            "json": safe_eval.json,
            "time": safe_eval.time,
            "http": HttpHelper(function, deadline),
            "UserError": UserError,
            "result": None,
        }

    def _execute(self, records, args, data, log_lines, restore=True):
        """Run the code once on ``records`` (its env is the caller's) with
        the validated ``args``; returns the result or raises FunctionError.
        SQL is bounded by a transaction-local statement_timeout for the
        budget's length, restored afterwards (unless not ``restore``: the
        transaction ends with the call). Called inside a savepoint (the
        call's, the Test button's) or as a transaction of its own."""
        function = self.sudo()
        problem = function._code_problem()
        if problem:
            raise FunctionError(problem)
        budget = function.time_budget or 10.0
        deadline = time.monotonic() + budget
        context = self._sandbox_context(records, args, data, log_lines, deadline)
        filename = f"crm.workflow.function({function.api_name})"
        cr = records.env.cr
        cr.execute(
            "SELECT current_setting('statement_timeout'),"
            " set_config('statement_timeout', %s, true)",
            [f"{int(budget * 1000) + 1}"],
        )
        previous = cr.fetchone()[0]
        try:
            result = sandbox.run(
                function.code.strip(), context, filename=filename, budget=budget
            )
            records.env.flush_all()  # its SQL runs within the budget too
        except (sandbox.FunctionTimeout, QueryCanceled) as e:
            raise FunctionError(
                self.env._(
                    "The function “%(name)s” was stopped after its time budget of "
                    "%(budget)s s.",
                    name=function.name,
                    budget=budget,
                ),
                kind="timeout",
                line=_error_line(e, filename),
            ) from None
        except Exception as e:  # reported to the caller with its line
            line = _error_line(e, filename)
            original = _original_error(e)
            if isinstance(original, MemoryError):
                raise FunctionError(
                    self.env._(
                        "The function “%(name)s” ran out of memory (line %(line)s).",
                        name=function.name,
                        line=line,
                    ),
                    kind="memory",
                    line=line,
                ) from None
            message = (
                str(original.args[0])
                if isinstance(original, UserError)
                else (f"{type(original).__name__}: {original}")
            )
            if line:
                message = self.env._(
                    "%(error)s (line %(line)s)", error=message, line=line
                )
            raise FunctionError(
                self.env._(
                    "The function “%(name)s” failed: %(error)s",
                    name=function.name,
                    error=message,
                ),
                line=line,
            ) from e
        # on failure the savepoint (or the transaction) rolls the setting back
        if restore:
            cr.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
        return result

    def _call(
        self,
        records=None,
        raw_args=None,
        caller="rule",
        run=None,
        from_text=False,
        check_access=True,
        action=None,
        own_transaction=False,
    ):
        """Call the function: validate the arguments, run the code in a
        savepoint (rolled back when it fails), log the call, merge a dict
        result into ``run.data``. Raises UserError for bad arguments and
        FunctionError when the code failed. ``action`` is the workflow
        action (of a rule or a robot) that calls it, for the run log.

        With ``own_transaction`` (an HTTP request: the call is all the
        transaction does) there is no savepoint: a failure rolls the
        transaction back, then the call is logged in the next one; and when
        the function wrote nothing, the commit of its log row does not wait
        for the disk (``synchronous_commit`` off for that transaction only: a
        crash of PostgreSQL may lose the last log rows, never data)."""
        self.ensure_one()
        if check_access:
            self._check_may_run()
        function = self.sudo()
        if records is None:
            records = (
                self.env[function.model_name] if function.model_name else self.env.user
            ).browse()
        args = self._prepare_args(raw_args, from_text=from_text)
        data = run.data if run is not None else {}
        engine = self.env["crm.workflow.engine"]
        log_lines = []
        started = time.perf_counter()
        cr = self.env.cr
        try:
            if own_transaction:
                result = self._execute(records, args, data, log_lines, restore=False)
            else:
                with engine._savepoint():
                    result = self._execute(records, args, data, log_lines)
        except FunctionError as e:
            if own_transaction:
                cr.rollback()
                self.env.transaction.clear()
            self._log_call(records, caller, run, started, action, error=str(e))
            raise
        if own_transaction:
            cr.execute(
                "SELECT set_config('synchronous_commit', 'off', true)"
                " WHERE pg_current_xact_id_if_assigned() IS NULL"
            )
        self._log_call(records, caller, run, started, action, result=result)
        if isinstance(result, dict) and run is not None:
            run.data.update(result)
        return result

    @api.model
    def _summary(self, result):
        text = json.dumps(result, default=json_default, ensure_ascii=False)
        return text if len(text) <= SUMMARY_SIZE else text[: SUMMARY_SIZE - 1] + "…"

    def _log_call(self, records, caller, run, started, action, result=None, error=None):
        """One row of the run log per record (or one without a record), on
        the engine's bulk path: with the run's rows when there is a run (a
        rule's savepoint may still roll back), else now. The row names the
        calling action, not its rule: the rule's own row counts its runs."""
        engine = self.env["crm.workflow.engine"]
        ids = records._ids or [None]
        rows = engine._log_rows(
            self.env["crm.workflow.rule"],
            None,
            records._name if records._ids else None,
            ids,
            "failed" if error else "done",
            event=run.event if run is not None else None,
            duration=(time.perf_counter() - started) / len(ids),
            error=error,
            action=action,
            function=self,
            caller=caller,
            result=None if error else self._summary(result),
        )
        if run is not None:
            run.log.extend(rows)
        else:
            self.env["crm.workflow.run"]._log_bulk(rows)

    # ------------------------------------------------------------------
    # buttons of the form
    # ------------------------------------------------------------------

    def action_open_test(self):
        self.ensure_one()
        wizard = self.env["crm.workflow.function.test"].create(
            {"function_id": self.id, "args_text": self._default_args_text()}
        )
        return wizard._action_open()

    def _default_args_text(self):
        values = {}
        for arg in self.argument_ids:
            try:
                value = arg._value(False, None) if arg.default else None
            except UserError:
                value = None
            values[arg.name] = json.loads(json.dumps(value, default=json_default))
        return json.dumps(values, indent=2, ensure_ascii=False)

    def action_mark_reviewed(self):
        """The review is done: the flag and the review tasks go."""
        self.write({"review_reason": False})
        self.activity_ids.filtered(
            lambda a: a.automated
            and a.activity_type_id == self.env.ref("mail.mail_activity_data_todo")
        ).action_feedback()

    # ------------------------------------------------------------------
    # upgrades: never change what a function does without telling
    # ------------------------------------------------------------------

    def _flag_for_review(self, reason):
        """Mark the functions as needing a review (``reason``: a key of
        ``review_reason``) and give a "Review this function" task to the
        responsible of each rule and robot calling them (else the function's
        author, else the administrator). Used by the migrations."""
        todo = self.env.ref("mail.mail_activity_data_todo")
        field = self._fields["review_reason"]
        for function in self.sudo():
            function.review_reason = reason
            for user in function._review_users():
                env = function.with_context(lang=user.lang).env
                function.activity_schedule(
                    activity_type_id=todo.id,
                    summary=env._("Review this function"),
                    note=dict(field._description_selection(env))[reason],
                    user_id=user.id,
                )

    def _review_users(self):
        self.ensure_one()
        actions = (
            self.env["crm.workflow.action"]
            .sudo()
            .with_context(active_test=False)
            .search([("function_id", "=", self.id)])
        )
        users = self.env["res.users"].browse()
        for action in actions:
            users |= action._owner().user_id
        users = users.filtered("active")
        if not users and self.create_uid.active and not self.create_uid._is_superuser():
            users = self.create_uid
        return users or self.env.ref("base.user_admin", raise_if_not_found=False)

    def action_open_runs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_workflow_automation.crm_workflow_run_action"
        )
        action["domain"] = [("function_id", "=", self.id)]
        action["context"] = {}
        return action


def _original_error(error):
    """safe_eval wraps errors in a ValueError('<error> while evaluating'):
    the error the code raised is its context."""
    if (
        isinstance(error, ValueError)
        and error.__context__ is not None
        and "while evaluating" in str(error)
    ):
        return error.__context__
    return error


def _error_line(error, filename):
    """The line of the function's code where ``error`` was raised."""
    line = None
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, SyntaxError) and error.filename == filename:
            return error.lineno
        tb = error.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == filename:
                line = tb.tb_lineno
            tb = tb.tb_next
        if line:
            return line
        error = error.__context__
    return line
