# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import re

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

ARG_TYPES = [
    ("char", "Text"),
    ("integer", "Integer"),
    ("float", "Decimal number"),
    ("boolean", "Yes/No"),
    ("date", "Date"),
    ("datetime", "Date and time"),
    ("record", "Record"),
    ("json", "JSON"),
]
ARG_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
TRUE_TEXTS = ("1", "true", "yes", "y", "on")
FALSE_TEXTS = ("0", "false", "no", "n", "off", "")


class CrmWorkflowFunctionArgument(models.Model):
    """An argument of a function: how a caller's value (JSON over HTTP, text
    in the button's dialog and in defaults) becomes the Python value the
    code finds in ``args``."""

    _name = "crm.workflow.function.argument"
    _inherit = ["crm.workflow.version.part.mixin"]
    _description = "Workflow Function Argument"
    _order = "sequence, id"
    _version_parent_field = "function_id"

    function_id = fields.Many2one(
        "crm.workflow.function",
        string="Function",
        required=True,
        ondelete="cascade",
        index=True,
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(
        required=True, help="The key in args, e.g. amount for args['amount']."
    )
    description = fields.Char(translate=True)
    arg_type = fields.Selection(ARG_TYPES, string="Type", required=True, default="char")
    arg_model_id = fields.Many2one("ir.model", string="Record type", ondelete="cascade")
    arg_model = fields.Char(related="arg_model_id.model", string="Record model")
    required = fields.Boolean()
    default = fields.Char(
        help="Used when the caller gives no value; written as text: 5, 2.5, yes, "
        "2026-12-31, a record id or JSON.",
    )

    _sql_constraints = [
        (
            "name_unique",
            "unique(function_id, name)",
            "Two arguments of a function cannot have the same name.",
        )
    ]

    @api.model
    def _version_kind(self):
        return self.env._("Argument")

    @api.constrains("name", "arg_type", "arg_model_id", "default")
    def _check_definition(self):
        for arg in self:
            if not ARG_NAME.match(arg.name or ""):
                raise ValidationError(
                    self.env._(
                        "The argument name “%(name)s” must start with a lowercase "
                        "letter or _ and contain only lowercase letters, digits "
                        "and _.",
                        name=arg.name,
                    )
                )
            if arg.arg_type == "record" and not arg.arg_model_id:
                raise ValidationError(
                    self.env._(
                        "Choose the record type of the argument “%(name)s”.",
                        name=arg.name,
                    )
                )
            if arg.default:
                arg._convert(arg.default, from_text=True, check_exists=False)

    def _error(self, problem):
        return UserError(
            self.env._(
                "Argument “%(name)s” of the function “%(function)s”: %(problem)s",
                name=self.name,
                function=self.function_id.name,
                problem=problem,
            )
        )

    def _convert(self, value, from_text=False, check_exists=True):
        """The Python value of a caller's ``value``. JSON callers must send the
        right JSON type (an integer for an integer, true/false for a yes/no);
        text (the dialog, defaults) is parsed. Raises UserError."""
        self.ensure_one()
        kind = self.arg_type
        try:
            if from_text and kind not in ("char", "date", "datetime"):
                value = self._parse_text(value)
            if kind == "char":
                if not isinstance(value, str):
                    raise ValueError
                return value
            if kind == "integer":
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ValueError
                return value
            if kind == "float":
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise ValueError
                return float(value)
            if kind == "boolean":
                if not isinstance(value, bool):
                    raise ValueError
                return value
            if kind in ("date", "datetime"):
                if not isinstance(value, str):
                    raise ValueError
                field = fields.Date if kind == "date" else fields.Datetime
                return (
                    field.to_date(value) if kind == "date" else field.to_datetime(value)
                )
            if kind == "record":
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ValueError
                record = self.env[self.sudo().arg_model_id.model].browse(value)
                if check_exists and not record.exists():
                    raise self._error(
                        self.env._("no record with the id %(id)s.", id=value)
                    )
                return record
            return value  # json: any JSON value
        except (ValueError, TypeError) as e:
            label = dict(self._fields["arg_type"]._description_selection(self.env))
            raise self._error(
                self.env._(
                    "“%(value)s” is not a valid value of type %(type)s.",
                    value=value if not isinstance(value, str) else value[:80],
                    type=label[kind],
                )
            ) from e

    def _parse_text(self, text):
        kind = self.arg_type
        text = (text or "").strip() if isinstance(text, str) else text
        if not isinstance(text, str):
            return text
        if kind == "boolean":
            if text.lower() in TRUE_TEXTS:
                return True
            if text.lower() in FALSE_TEXTS:
                return False
            raise ValueError(text)
        if kind in ("integer", "record"):
            return int(text)
        if kind == "float":
            return float(text)
        return json.loads(text)

    def _value(self, provided, raw, from_text=False):
        """The value of this argument from a call, its default, or None;
        raises UserError when a required one is missing."""
        if provided and raw not in (None, ""):
            return self._convert(raw, from_text=from_text)
        if self.default:
            return self._convert(self.default, from_text=True)
        if self.required:
            raise self._error(self.env._("a value is required."))
        return None
