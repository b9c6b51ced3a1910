# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.tools import safe_eval

from ..runtime import sandbox


class CrmWorkflowAction(models.Model):
    _inherit = "crm.workflow.action"

    action_type = fields.Selection(
        selection_add=[("field_update", "Field Update")],
        ondelete={"field_update": "cascade"},
    )
    update_field_id = fields.Many2one(
        "ir.model.fields",
        string="Field to update",
        ondelete="cascade",
        domain="[('model_id', '=', model_id), ('store', '=', True), "
        "('readonly', '=', False)]",
    )
    update_field_type = fields.Selection(
        related="update_field_id.ttype", string="Field type"
    )
    update_related_model_id = fields.Many2one(
        "ir.model", compute="_compute_update_related_model_id", string="Related model"
    )
    update_mode = fields.Selection(
        [("value", "A fixed value"), ("expression", "A Python expression")],
        string="Set to",
        default="value",
    )
    update_value = fields.Char(string="Value")
    update_record_ref = fields.Reference(
        selection="_selection_target_model", string="Record"
    )
    update_selection_value = fields.Many2one(
        "ir.model.fields.selection",
        string="Option",
        ondelete="cascade",
        domain="[('field_id', '=', update_field_id)]",
    )
    update_boolean_value = fields.Selection(
        [("true", "Yes"), ("false", "No")], string="Yes/No", default="true"
    )
    update_m2m_operation = fields.Selection(
        [
            ("add", "Add"),
            ("remove", "Remove"),
            ("set", "Replace with"),
            ("clear", "Clear"),
        ],
        string="Operation",
        default="add",
    )
    update_expression = fields.Text(
        string="Expression",
        groups="crm_workflow_automation.group_workflow_developer",
        help="Python expression evaluated for each record, e.g. "
        "record.expected_revenue * 0.1. Available: record, user, datetime, "
        "relativedelta, context_today.",
    )

    @api.model
    def _selection_target_model(self):
        return [(m.model, m.name) for m in self.env["ir.model"].sudo().search([])]

    @api.depends("update_field_id")
    def _compute_update_related_model_id(self):
        for action in self:
            relation = action.update_field_id.relation
            action.update_related_model_id = (
                self.env["ir.model"]._get_id(relation) if relation else False
            )

    @api.model
    def _code_fields(self):
        return super()._code_fields() + ("update_expression",)

    @api.model
    def _check_vals_before_save(self, vals):
        """A reference to a record that does not exist is saved as typed but
        reads as empty: the check after the save cannot see it, and every run
        would fail on it."""
        super()._check_vals_before_save(vals)
        ref = vals.get("update_record_ref")
        if not ref or not isinstance(ref, str):
            return
        model, __, res_id = ref.partition(",")
        if (
            model not in self.env
            or self.env[model]._abstract
            or not res_id.strip().isdigit()
        ):
            self._refuse_vals(
                vals,
                self.env._(
                    "“%(value)s” is not a record; choose the record of the new value.",
                    value=ref,
                ),
            )
        elif not self.env[model].sudo().browse(int(res_id)).exists():
            self._refuse_vals(
                vals,
                self.env._(
                    "the record %(model)s #%(id)s does not exist (it may have "
                    "been deleted); choose another one.",
                    model=self.env["ir.model"]._get(model).name,
                    id=res_id.strip(),
                ),
            )

    def _check_field_update(self):
        field = self.update_field_id
        self._check_model_field(field, self.env._("choose the field to update."))
        if self.update_mode == "expression":
            expression = self.sudo().update_expression
            if not (expression or "").strip():
                self._raise_config(
                    self.env._("enter the expression that computes the new value.")
                )
            problem = self._expression_error(expression)
            if problem:
                self._raise_config(problem)
            return
        if (
            field.ttype in ("many2one", "many2many")
            and self.update_m2m_operation != "clear"
        ):
            ref = self.update_record_ref
            if field.ttype == "many2many" or ref:
                if not ref or ref._name != field.relation:
                    self._raise_config(
                        self.env._(
                            "choose a record of “%(model)s” as the new value.",
                            model=self.env["ir.model"]._get(field.relation).name,
                        )
                    )
        if field.ttype == "one2many":
            self._raise_config(
                self.env._("one-to-many fields cannot be updated by a rule.")
            )
        if field.ttype in ("integer", "float", "monetary") and self.update_value:
            try:
                float(self.update_value)
            except ValueError:
                self._raise_config(
                    self.env._("“%(value)s” is not a number.", value=self.update_value)
                )
        if field.ttype in ("date", "datetime") and self.update_value:
            self._check_date_value(field.ttype)
        if (
            field.ttype == "selection"
            and not self.update_selection_value
            and self.update_value
        ):
            keys = [s.value for s in field.selection_ids]
            if self.update_value not in keys:
                self._raise_config(
                    self.env._(
                        "“%(value)s” is not an option of this field.",
                        value=self.update_value,
                    )
                )

    def _check_date_value(self, ttype):
        """A fixed date is written as it is typed, so it must be one the field
        reads: 2026-12-31 (and a time, for a date and time). A date relative
        to the run (in a week) is an expression's job."""
        converter = (
            fields.Date.to_date if ttype == "date" else fields.Datetime.to_datetime
        )
        try:
            converter(self.update_value)
        except ValueError:
            example = "2026-12-31" if ttype == "date" else "2026-12-31 17:30:00"
            self._raise_config(
                self.env._(
                    "“%(value)s” is not a date; write it as %(example)s (a date "
                    "relative to the run, such as in a week, needs an expression).",
                    value=self.update_value,
                    example=example,
                )
            )

    def _expression_error(self, expression, argument=None):
        """What is wrong with an expression of this action (of its function's
        ``argument``), or False. Checked at save: accepted, it would fail at
        every run."""
        problem = sandbox.expression_problem(expression)
        if problem and argument:
            return self.env._(
                "the expression of the argument “%(name)s” does not compile: %(error)s",
                name=argument,
                error=problem,
            )
        if problem:
            return self.env._(
                "the expression does not compile: %(error)s", error=problem
            )
        names = {"record", *self._expression_context(self.env[self.model_name])}
        unknown = sandbox.unknown_names(expression, names)
        if not unknown:
            return False
        available = ", ".join(sorted(names))
        if argument:
            return self.env._(
                "the expression of the argument “%(argument)s” uses “%(name)s”, "
                "which is not available; it may use %(names)s and Python's basic "
                "functions (len, min, max, round…).",
                argument=argument,
                name=unknown[0],
                names=available,
            )
        return self.env._(
            "the expression uses “%(name)s”, which is not available; it may use "
            "%(names)s and Python's basic functions (len, min, max, round…).",
            name=unknown[0],
            names=available,
        )

    def _field_update_target(self, records):
        """Field updates run as the user who triggered them; as superuser only
        when the rule says so and its responsible is still a Workflow Manager."""
        if self._owner().sudo()._may_run_as_superuser():
            return records.sudo()
        return records

    def _fixed_update_value(self):
        field = self.update_field_id
        ttype = field.ttype
        if ttype == "many2many":
            op = self.update_m2m_operation
            if op == "clear":
                return [Command.clear()]
            rid = self.update_record_ref.id
            return {
                "add": [Command.link(rid)],
                "remove": [Command.unlink(rid)],
                "set": [Command.set([rid])],
            }[op]
        if ttype == "many2one":
            return self.update_record_ref.id if self.update_record_ref else False
        if ttype == "boolean":
            return self.update_boolean_value == "true"
        if ttype == "selection":
            if self.update_selection_value:
                return self.update_selection_value.value
            return self.update_value or False
        if ttype == "integer":
            return int(float(self.update_value or 0))
        if ttype in ("float", "monetary"):
            return float(self.update_value or 0)
        if ttype in ("date", "datetime"):
            return self.update_value or False
        return self.update_value or False

    def _expression_context(self, records, run=None):
        """Names an expression of the action reads; ``data`` is what earlier
        actions of the run (robots of the same stage entry) left."""
        return {
            "user": records.env.user,
            "data": dict(run.data) if run is not None else {},
            "datetime": safe_eval.datetime,
            "relativedelta": safe_eval.dateutil.relativedelta.relativedelta,
            "time": safe_eval.time,
            "context_today": lambda: fields.Date.context_today(records),
        }

    def _run_field_update(self, records, run):
        target = self._field_update_target(records)
        fname = self.update_field_id.name
        if self.update_mode != "expression":
            target.write({fname: self._fixed_update_value()})
            return
        code = self.sudo().update_expression.strip()
        context = self._expression_context(records, run)
        field = target._fields[fname]
        groups = defaultdict(list)
        for record in target:
            value = safe_eval.safe_eval(code, dict(context, record=record))
            if isinstance(value, models.BaseModel):
                value = value.ids if field.type == "many2many" else value.id
            if field.type == "many2many" and isinstance(value, list):
                value = [Command.set(value)]
            key = json.dumps(value, default=str, sort_keys=True)
            groups[key].append((record.id, value))
        for items in groups.values():
            target.browse([rid for rid, __ in items]).write({fname: items[0][1]})

    def _fields_written_field_update(self):
        return {self.update_field_id.name} if self.update_field_id else set()

    def _test_field_update(self, records, run):
        return self._test_by_running(records, run)

    def _effects_in_database_field_update(self):
        """A write of the records' field."""
        return True
