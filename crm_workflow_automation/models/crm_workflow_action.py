# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging
import socket
from collections import defaultdict
from datetime import timedelta
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Datetime
from odoo.tools import float_round, safe_eval

from .crm_workflow_rule import DATE_UNITS, local_eta
from .webhook_transport import is_public_address

_logger = logging.getLogger(__name__)

ACTION_TYPES = [
    ("email", "Email Notification"),
    ("activity", "Task"),
    ("field_update", "Field Update"),
    ("webhook", "Webhook"),
    ("function", "Function"),
    ("assign_owner", "Assign Owner"),
    ("add_tags", "Add Tags"),
    ("remove_tags", "Remove Tags"),
    ("set_stage", "Move to Stage"),
    ("convert", "Convert to Opportunity"),
    ("notify", "Notify Users"),
    ("add_followers", "Add Followers"),
    ("server_action", "Server Action"),
]
# fields holding Python code, reserved to Workflow Developers
CODE_FIELDS = ("code", "update_expression")
# A record notified one by one up to this batch size; larger batches get one
# summary notification (nobody reads 10,000 inbox entries).
NOTIFY_SUMMARY_THRESHOLD = 20


class CrmWorkflowAction(models.Model):
    _name = "crm.workflow.action"
    _description = "Workflow Action"
    _order = "sequence, id"

    condition_id = fields.Many2one(
        "crm.workflow.condition",
        string="Condition",
        required=True,
        ondelete="cascade",
        index=True,
    )
    rule_id = fields.Many2one(
        related="condition_id.rule_id", store=True, index=True, string="Rule"
    )
    model_id = fields.Many2one(related="rule_id.model_id", string="Record type")
    model_name = fields.Char(related="rule_id.model_name", string="Model")
    company_id = fields.Many2one(related="rule_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(
        translate=True, compute="_compute_name", store=True, readonly=False
    )
    action_type = fields.Selection(
        ACTION_TYPES, string="Action", required=True, default="field_update"
    )
    active = fields.Boolean(related="rule_id.active")

    # -- timing --------------------------------------------------------
    timing = fields.Selection(
        [("instant", "Instant action"), ("scheduled", "Scheduled action")],
        required=True,
        default="instant",
    )
    delay_amount = fields.Integer(
        string="Delay", help="Negative values run before the date field."
    )
    delay_unit = fields.Selection(DATE_UNITS, string="Delay unit", default="days")
    delay_anchor = fields.Selection(
        [("trigger", "After the trigger"), ("date_field", "Relative to a date field")],
        string="Counted from",
        default="trigger",
    )
    delay_date_field_id = fields.Many2one(
        "ir.model.fields",
        string="Date field",
        ondelete="cascade",
        domain="[('model_id', '=', model_id), ('ttype', 'in', ('date', 'datetime'))]",
    )
    delay_at_time = fields.Boolean(string="At a time of day")
    delay_time_of_day = fields.Float(
        string="Time of day",
        help="Hour in the time zone of the rule's responsible, e.g. 9.5 for 09:30.",
    )
    recheck_condition = fields.Boolean(
        string="Check the criteria again before running",
        default=True,
        help="A scheduled action is cancelled when its record no longer meets the "
        "criteria at the time it is due.",
    )

    # -- email ---------------------------------------------------------
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email template",
        ondelete="restrict",
        domain="[('model', '=', model_name)]",
    )
    email_recipients = fields.Selection(
        [
            ("customer", "The customer"),
            ("followers", "The followers"),
            ("owner", "The salesperson"),
            ("team_leader", "The team leader"),
            ("users", "Chosen users"),
            ("addresses", "Email addresses"),
        ],
        string="Send to",
        default="customer",
    )
    email_addresses = fields.Char(
        string="Addresses", help="Comma-separated email addresses."
    )
    user_ids = fields.Many2many(
        "res.users",
        "crm_workflow_action_user_rel",
        "action_id",
        "user_id",
        string="Users",
    )

    # -- activity (task) -----------------------------------------------
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Activity type",
        ondelete="restrict",
        domain="['|', ('res_model', '=', False), ('res_model', '=', model_name)]",
    )
    activity_summary = fields.Char(string="Summary", translate=True)
    activity_note = fields.Html(string="Note", translate=True)
    activity_due_days = fields.Integer(string="Due in (days)")
    activity_user_type = fields.Selection(
        [
            ("owner", "The salesperson"),
            ("user", "A chosen user"),
            ("field", "A user field of the record"),
        ],
        string="Assigned to",
        default="owner",
    )
    activity_user_id = fields.Many2one("res.users", string="User")
    activity_user_field_id = fields.Many2one(
        "ir.model.fields",
        string="User field",
        ondelete="cascade",
        domain="[('model_id', '=', model_id), ('ttype', '=', 'many2one'), "
        "('relation', '=', 'res.users')]",
    )

    # -- field update --------------------------------------------------
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

    # -- webhook -------------------------------------------------------
    webhook_url = fields.Char(string="URL")
    webhook_method = fields.Selection(
        [(m, m) for m in ("POST", "PUT", "PATCH", "DELETE", "GET")],
        string="Method",
        default="POST",
    )
    webhook_headers = fields.Text(
        string="Extra headers", help='A JSON object, e.g. {"Authorization": "Bearer …"}'
    )
    webhook_field_ids = fields.Many2many(
        "ir.model.fields",
        "crm_workflow_action_webhook_field_rel",
        "action_id",
        "field_id",
        string="Fields sent",
        domain="[('model_id', '=', model_id)]",
    )
    webhook_secret = fields.Char(
        string="Secret",
        groups="crm_workflow_automation.group_workflow_manager",
        copy=False,
        help="Signs each delivery with HMAC-SHA256 so that the receiver can check "
        "it came from here.",
    )
    webhook_signature_header = fields.Char(
        string="Signature header", default="X-Signature-256"
    )

    # -- function ------------------------------------------------------
    code = fields.Text(
        string="Python code",
        groups="crm_workflow_automation.group_workflow_developer",
        help="Runs once per batch in Odoo's sandbox. Available: env, records, "
        "record (when there is one), model, data, log, datetime, relativedelta, "
        "UserError.",
    )

    # -- owner, tags, stage, conversion ----------------------------------
    assign_mode = fields.Selection(
        [("user", "A chosen user"), ("round_robin", "Round-robin in the sales team")],
        string="Assign",
        default="user",
    )
    assign_user_id = fields.Many2one("res.users", string="Salesperson")
    assign_rotation = fields.Json(string="Rotation", copy=False)
    tag_ids = fields.Many2many(
        "crm.tag", "crm_workflow_action_tag_rel", "action_id", "tag_id", string="Tags"
    )
    stage_id = fields.Many2one("crm.stage", string="Stage", ondelete="restrict")
    convert_partner_action = fields.Selection(
        [
            ("create", "Create a new customer"),
            ("exist", "Link to an existing customer"),
            ("nothing", "Do not link to a customer"),
        ],
        string="Customer",
        default="create",
    )

    # -- notify, followers, server action --------------------------------
    notify_group_id = fields.Many2one("res.groups", string="Group", ondelete="cascade")
    notify_message = fields.Html(string="Message", translate=True)
    partner_ids = fields.Many2many(
        "res.partner",
        "crm_workflow_action_partner_rel",
        "action_id",
        "partner_id",
        string="Followers",
    )
    server_action_id = fields.Many2one(
        "ir.actions.server",
        string="Server action",
        ondelete="restrict",
        domain="[('model_id', '=', model_id)]",
    )

    # ------------------------------------------------------------------
    # computes and defaults
    # ------------------------------------------------------------------

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

    @api.depends("action_type")
    def _compute_name(self):
        labels = dict(self._fields["action_type"]._description_selection(self.env))
        for action in self:
            if not action.name:
                action.name = labels.get(action.action_type)

    # ------------------------------------------------------------------
    # CRUD and configuration checks
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_code_access(vals)
        actions = super().create(vals_list)
        actions._check_configuration()
        return actions

    def write(self, vals):
        self._check_code_access(vals)
        res = super().write(vals)
        if set(vals) - {"assign_rotation", "sequence", "name"}:
            self._check_configuration()
        return res

    @api.model
    def _check_code_access(self, vals):
        """Python code (functions, expressions) is for Workflow Developers only:
        it runs with the ORM's full power, whatever the sandbox forbids."""
        if self.env.su or not any(vals.get(f) for f in CODE_FIELDS):
            return
        if not self.env.user.has_group(
            "crm_workflow_automation.group_workflow_developer"
        ):
            raise AccessError(
                self.env._(
                    "Only Workflow Developers may write Python code in workflow "
                    "actions."
                )
            )

    def _check_configuration(self):
        """Refuse a bad configuration at save: ``_check_timing`` and then the
        type's own ``_check_<action_type>``."""
        for action in self.sudo():
            action._check_timing()
            if (
                action.rule_id.trigger == "on_unlink"
                and action.action_type not in action._unlink_action_types()
            ):
                action._raise_config(
                    self.env._(
                        "a rule on deleted records can only notify users, call a "
                        "webhook, "
                        "run a function or a server action."
                    )
                )
            checker = getattr(action, f"_check_{action.action_type}", None)
            if checker:
                checker()

    def _raise_config(self, problem):
        raise ValidationError(
            self.env._(
                "Action “%(action)s” of rule “%(rule)s”: %(problem)s",
                action=self.name or "",
                rule=self.rule_id.name or "",
                problem=problem,
            )
        )

    def _check_model_field(self, field, missing):
        if field and field.model_id != self.model_id:
            self._raise_config(
                self.env._(
                    "the field “%(field)s” does not belong to %(model)s.",
                    field=field.field_description,
                    model=self.model_id.name,
                )
            )
        if not field:
            self._raise_config(missing)

    def _check_timing(self):
        if self.timing != "scheduled":
            return
        if self.delay_anchor == "date_field":
            self._check_model_field(
                self.delay_date_field_id,
                self.env._("choose the date field the delay counts from."),
            )
        if self.delay_at_time and not (0 <= self.delay_time_of_day < 24):
            self._raise_config(
                self.env._("the time of day must be between 0:00 and 23:59.")
            )
        if self.delay_anchor == "trigger" and (self.delay_amount or 0) < 0:
            self._raise_config(
                self.env._("a delay after the trigger cannot be negative.")
            )

    def _check_email(self):
        if not self.mail_template_id:
            self._raise_config(self.env._("choose the email template to send."))
        if self.mail_template_id.model != self.model_name:
            self._raise_config(
                self.env._(
                    "the template “%(template)s” is made for another kind of record.",
                    template=self.mail_template_id.name,
                )
            )
        if self.email_recipients == "users" and not self.user_ids:
            self._raise_config(self.env._("choose the users who receive the email."))
        if self.email_recipients == "addresses":
            addresses = [
                a.strip() for a in (self.email_addresses or "").split(",") if a.strip()
            ]
            if not addresses or any("@" not in a for a in addresses):
                self._raise_config(
                    self.env._("enter valid email addresses, separated by commas.")
                )
        Model = self.env[self.model_name]
        if self.email_recipients == "owner" and "user_id" not in Model._fields:
            self._raise_config(self.env._("these records have no salesperson."))
        if self.email_recipients == "team_leader" and "team_id" not in Model._fields:
            self._raise_config(self.env._("these records have no sales team."))

    def _check_activity(self):
        if not self.activity_type_id:
            self._raise_config(self.env._("choose the activity type of the task."))
        if self.activity_user_type == "user" and not self.activity_user_id:
            self._raise_config(self.env._("choose the user who gets the task."))
        if self.activity_user_type == "field":
            self._check_model_field(
                self.activity_user_field_id,
                self.env._("choose the user field of the record."),
            )
        if (
            self.activity_user_type == "owner"
            and "user_id" not in self.env[self.model_name]._fields
        ):
            self._raise_config(self.env._("these records have no salesperson."))

    def _check_field_update(self):
        field = self.update_field_id
        self._check_model_field(field, self.env._("choose the field to update."))
        if self.update_mode == "expression":
            expression = self.sudo().update_expression
            if not (expression or "").strip():
                self._raise_config(
                    self.env._("enter the expression that computes the new value.")
                )
            try:
                safe_eval.test_python_expr(expression.strip(), mode="eval")
                compile(expression.strip(), "<expression>", "eval")
            except (SyntaxError, ValueError, NameError) as e:
                # NameError: a forbidden name (``__class__``), raised, not returned
                self._raise_config(
                    self.env._("the expression does not compile: %(error)s", error=e)
                )
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

    def _check_webhook(self):
        url = (self.webhook_url or "").strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            self._raise_config(
                self.env._("the webhook URL must start with http:// or https://.")
            )
        if self.webhook_headers:
            try:
                headers = json.loads(self.webhook_headers)
            except ValueError as e:
                self._raise_config(
                    self.env._(
                        "the extra headers are not valid JSON: %(error)s", error=e
                    )
                )
            if not isinstance(headers, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
            ):
                self._raise_config(
                    self.env._(
                        "the extra headers must be a JSON object whose values are "
                        "strings."
                    )
                )
        for field in self.webhook_field_ids:
            self._check_model_field(field, False)
        self._check_webhook_address(parts.hostname)

    def _check_webhook_address(self, host):
        """SSRF guard: refuse hosts that resolve to internal addresses unless
        a Settings administrator allow-listed them."""
        if self._webhook_host_allowed(host):
            return
        try:
            infos = socket.getaddrinfo(host, None)
        except (socket.gaierror, UnicodeError):
            self._raise_config(
                self.env._("the host “%(host)s” cannot be resolved.", host=host)
            )
        for info in infos:
            address = info[4][0]
            if not is_public_address(address):
                self._raise_config(
                    self.env._(
                        "the URL points to an internal address (%(address)s); ask a "
                        "Settings "
                        "administrator to allow the host “%(host)s”.",
                        address=address,
                        host=host,
                    )
                )

    @api.model
    def _webhook_host_allowed(self, host):
        allowed = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("crm_workflow_automation.webhook_allowed_hosts", "")
        )
        hosts = {h.strip().lower() for h in allowed.split(",") if h.strip()}
        return (host or "").lower() in hosts

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

    def _check_assign_owner(self):
        if "user_id" not in self.env[self.model_name]._fields:
            self._raise_config(self.env._("these records have no salesperson."))
        if self.assign_mode == "user" and not self.assign_user_id:
            self._raise_config(self.env._("choose the salesperson."))
        if (
            self.assign_mode == "round_robin"
            and "team_id" not in self.env[self.model_name]._fields
        ):
            self._raise_config(self.env._("these records have no sales team."))

    def _check_tag_field(self):
        field = self.env[self.model_name]._fields.get("tag_ids")
        if not field or field.comodel_name != "crm.tag":
            self._raise_config(self.env._("these records have no CRM tags."))
        if not self.tag_ids:
            self._raise_config(self.env._("choose the tags."))

    _check_add_tags = _check_tag_field
    _check_remove_tags = _check_tag_field

    def _check_set_stage(self):
        field = self.env[self.model_name]._fields.get("stage_id")
        if not field or field.comodel_name != "crm.stage":
            self._raise_config(self.env._("these records have no CRM stage."))
        if not self.stage_id:
            self._raise_config(self.env._("choose the stage."))
        teams = self._condition_teams()
        if self.stage_id.team_id and teams and self.stage_id.team_id.id not in teams:
            self._raise_config(
                self.env._(
                    "the stage “%(stage)s” belongs to the pipeline of another sales "
                    "team.",
                    stage=self.stage_id.name,
                )
            )

    def _condition_teams(self):
        """Sales teams the condition restricts its records to, if it says so."""
        if self.condition_id.is_fallback:
            return set()
        try:
            domain = self.condition_id._eval_domain()
        except Exception:  # noqa: BLE001 - the condition reports its own errors
            return set()
        teams = set()
        for leaf in domain:
            if (
                isinstance(leaf, list | tuple)
                and len(leaf) == 3
                and leaf[0] == "team_id"
            ):
                if leaf[1] == "=" and isinstance(leaf[2], int):
                    teams.add(leaf[2])
                elif leaf[1] == "in" and isinstance(leaf[2], list | tuple):
                    teams.update(v for v in leaf[2] if isinstance(v, int))
        return teams

    def _check_convert(self):
        if self.model_name != "crm.lead":
            self._raise_config(
                self.env._("only leads can be converted to opportunities.")
            )

    def _check_notify(self):
        if not (self.user_ids or self.notify_group_id):
            self._raise_config(self.env._("choose the users or the group to notify."))

    def _check_add_followers(self):
        if not self.partner_ids:
            self._raise_config(self.env._("choose the followers to add."))

    def _check_server_action(self):
        if not self.server_action_id:
            self._raise_config(self.env._("choose the server action to run."))
        if self.server_action_id.model_id != self.model_id:
            self._raise_config(
                self.env._(
                    "the server action “%(name)s” is made for another kind of record.",
                    name=self.server_action_id.name,
                )
            )

    # ------------------------------------------------------------------
    # planning: instant now, or a job at its time
    # ------------------------------------------------------------------

    @api.model
    def _unlink_action_types(self):
        """Action types that make sense for a record being deleted (the others
        would act on, or mail from, a record about to vanish)."""
        return ("notify", "webhook", "function", "server_action")

    def _requires_job(self):
        """Types whose effect leaves the database run from a job, after the
        triggering transaction commits."""
        return self.action_type in ("webhook",)

    def _job_batchable(self):
        """Whether the runner may run due jobs of this action as one batch
        (a webhook delivers each job on its own)."""
        return self.action_type not in ("webhook",)

    def _compute_etas(self, records, trigger_time):
        """{record id: eta} for a scheduled action (records without a date in
        a date-anchored action get none)."""
        self.ensure_one()
        etas = {}
        tz = self.rule_id._date_rule_tz()
        at = (
            float_round(self.delay_time_of_day, precision_digits=4)
            if self.delay_at_time
            else None
        )
        unit = self.delay_unit or "days"
        if self.delay_anchor == "date_field" and self.delay_date_field_id:
            fname = self.delay_date_field_id.name
            for record, value in zip(records, records.mapped(fname), strict=True):
                if value:
                    etas[record.id] = local_eta(value, self.delay_amount, unit, tz, at)
        else:
            eta = local_eta(trigger_time, self.delay_amount, unit, tz, at)
            etas = dict.fromkeys(records.ids, eta)
        return etas

    def _prepare_job_payloads(self, records, run):
        """Data a job carries from the event (the webhook body is taken when
        the event happens, so a later change does not alter what is sent)."""
        if self.action_type == "webhook":
            return self._webhook_payloads(records, run)
        return {}

    # ------------------------------------------------------------------
    # execution: one call per action and batch, dispatched by type
    # ------------------------------------------------------------------

    def _execute(self, records, run):
        """Run this action on a batch of records, in their environment (the
        user who triggered it). ``self`` is read as superuser by the engine;
        every effect goes through ``records.env``."""
        self.ensure_one()
        runner = getattr(self, f"_run_{self.action_type}", None)
        if runner is None:
            raise UserError(
                self.env._(
                    "Actions of type “%(type)s” cannot be run.", type=self.action_type
                )
            )
        return runner(records, run)

    # -- field update ----------------------------------------------------

    def _field_update_target(self, records):
        """Field updates run as the user who triggered them; as superuser only
        when the rule says so and its responsible is still a Workflow Manager."""
        if self.rule_id.sudo()._may_run_as_superuser():
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

    def _expression_context(self, records):
        return {
            "user": records.env.user,
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
        context = self._expression_context(records)
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

    # -- tags, stage, owner --------------------------------------------

    def _run_add_tags(self, records, run):
        records.write({"tag_ids": [Command.link(tag.id) for tag in self.tag_ids]})

    def _run_remove_tags(self, records, run):
        records.write({"tag_ids": [Command.unlink(tag.id) for tag in self.tag_ids]})

    def _run_set_stage(self, records, run):
        stage = self.stage_id
        if stage.team_id and "team_id" in records._fields:
            foreign = records.filtered(
                lambda r: r.team_id and r.team_id != stage.team_id
            )
            if foreign:
                raise UserError(
                    self.env._(
                        "The stage “%(stage)s” belongs to the pipeline of another "
                        "sales team "
                        "than “%(record)s”.",
                        stage=stage.name,
                        record=foreign[0].display_name,
                    )
                )
        records.write({"stage_id": stage.id})

    def _run_assign_owner(self, records, run):
        if self.assign_mode == "user":
            records.write({"user_id": self.assign_user_id.id})
            return
        rotation = dict(self.assign_rotation or {})
        by_user = defaultdict(list)
        for team, team_records in records.grouped("team_id").items():
            members = (team.member_ids or team.user_id).sorted("id")
            if not members:
                continue
            last = rotation.get(str(team.id))
            ids = members.ids
            start = (ids.index(last) + 1) if last in ids else 0
            for offset, record in enumerate(team_records):
                user_id = ids[(start + offset) % len(ids)]
                by_user[user_id].append(record.id)
                rotation[str(team.id)] = user_id
        for user_id, record_ids in by_user.items():
            records.browse(record_ids).write({"user_id": user_id})
        if rotation != (self.assign_rotation or {}):
            self.sudo().assign_rotation = rotation

    # -- conversion ----------------------------------------------------

    def _run_convert(self, records, run):
        """As CRM's own conversion wizard: handle the customer, then convert."""
        leads = records.filtered(lambda lead: lead.type == "lead" and lead.active)
        mode = self.convert_partner_action
        for lead in leads:
            if mode == "exist":
                partner = lead._find_matching_partner()
                lead._handle_partner_assignment(
                    force_partner_id=partner.id, create_missing=False
                )
            elif mode == "create":
                lead._handle_partner_assignment(create_missing=True)
            lead.convert_opportunity(lead.partner_id)

    # -- activity (task) -----------------------------------------------

    def _activity_assignees(self, records):
        if self.activity_user_type == "user":
            return dict.fromkeys(records.ids, self.activity_user_id.id)
        fname = (
            "user_id"
            if self.activity_user_type == "owner"
            else self.activity_user_field_id.name
        )
        fallback = self.rule_id.user_id.id or records.env.uid
        return {record.id: record[fname].id or fallback for record in records.sudo()}

    def _run_activity(self, records, run):
        """One ``create`` for the batch. Odoo emails each assignee about each
        activity given to them; past NOTIFY_SUMMARY_THRESHOLD records that
        would be one email per record, so a large batch only shows up in the
        assignees' activities."""
        assignees = self._activity_assignees(records)
        deadline = fields.Date.context_today(records) + timedelta(
            days=self.activity_due_days or 0
        )
        res_model_id = self.env["ir.model"]._get_id(records._name)
        summary = self.activity_summary or False
        note = self.activity_note or False
        Activity = records.env["mail.activity"]
        if len(records) > NOTIFY_SUMMARY_THRESHOLD:
            Activity = Activity.with_context(mail_activity_quick_update=True)
        Activity.create(
            [
                {
                    "res_model_id": res_model_id,
                    "res_id": record_id,
                    "activity_type_id": self.activity_type_id.id,
                    "summary": summary,
                    "note": note,
                    "date_deadline": deadline,
                    "user_id": assignees.get(record_id) or records.env.uid,
                }
                for record_id in records.ids
            ]
        )

    # -- email -----------------------------------------------------------

    def _email_recipient_groups(self, records):
        """{(partner ids, email_to): record ids}: records that share their
        recipients are sent in one batch of the mail queue."""
        mode = self.email_recipients
        sudo_records = records.sudo()
        groups = defaultdict(list)
        if mode == "customer":
            defaults = sudo_records._message_get_default_recipients()
            for record in sudo_records:
                rec = defaults.get(record.id, {})
                key = (
                    tuple(sorted(rec.get("partner_ids") or [])),
                    rec.get("email_to") or "",
                )
                groups[key].append(record.id)
        elif mode == "followers":
            for record in sudo_records:
                groups[(tuple(sorted(record.message_partner_ids.ids)), "")].append(
                    record.id
                )
        elif mode == "owner":
            for record in sudo_records:
                groups[(tuple(record.user_id.partner_id.ids), "")].append(record.id)
        elif mode == "team_leader":
            for record in sudo_records:
                groups[(tuple(record.team_id.user_id.partner_id.ids), "")].append(
                    record.id
                )
        elif mode == "users":
            groups[(tuple(sorted(self.user_ids.partner_id.ids)), "")] = records.ids
        elif mode == "addresses":
            groups[((), self.email_addresses or "")] = records.ids
        return groups

    def _run_email(self, records, run):
        template = self.mail_template_id.with_env(records.env)
        for (partner_ids, email_to), record_ids in self._email_recipient_groups(
            records
        ).items():
            if not partner_ids and not email_to:
                continue  # nobody to write to (no customer, no leader): nothing to send
            template.send_mail_batch(
                record_ids,
                email_values={
                    "recipient_ids": [Command.set(list(partner_ids))],
                    "email_to": email_to,
                    "email_cc": "",
                    "partner_ids": [],
                },
            )

    # -- notify, followers ---------------------------------------------

    def _notify_partners(self):
        users = self.user_ids | self.notify_group_id.sudo().users
        return users.filtered("active").partner_id

    def _run_notify(self, records, run):
        """An inbox notification on each record; a batch larger than
        NOTIFY_SUMMARY_THRESHOLD, or records being deleted, get one summary."""
        partners = self._notify_partners()
        if not partners:
            return
        message = self.notify_message or escape(self.name or "")
        subject = self.rule_id.name
        deleting = run is not None and run.trigger == "unlink"
        if not deleting and len(records) <= NOTIFY_SUMMARY_THRESHOLD:
            for record in records:
                record.message_notify(
                    partner_ids=partners.ids,
                    body=message,
                    subject=subject,
                    subtype_xmlid="mail.mt_note",
                    email_layout_xmlid="mail.mail_notification_light",
                )
            return
        shown = records[:NOTIFY_SUMMARY_THRESHOLD]
        if deleting:
            items = Markup("").join(
                Markup("<li>%s</li>") % r.display_name for r in shown.sudo()
            )
        else:
            items = Markup("").join(
                Markup('<li><a href="/odoo/%s/%s">%s</a></li>')
                % (records._name, r.id, r.display_name)
                for r in shown
            )
        more = len(records) - len(shown)
        body = Markup("%s<p>%s</p><ul>%s</ul>") % (
            message,
            self.env._("%(count)s record(s):", count=len(records)),
            items,
        )
        if more:
            body += Markup("<p>%s</p>") % self.env._("and %(count)s more.", count=more)
        records.env["mail.thread"].message_notify(
            partner_ids=partners.ids,
            body=body,
            subject=subject,
            subtype_xmlid="mail.mt_note",
            email_layout_xmlid="mail.mail_notification_light",
        )

    def _run_add_followers(self, records, run):
        records.message_subscribe(partner_ids=self.partner_ids.ids)

    # -- server action, function -----------------------------------------

    def _run_server_action(self, records, run):
        action = self.server_action_id.with_env(records.env).with_context(
            active_model=records._name,
            active_ids=records.ids,
            active_id=records[:1].id,
        )
        action.run()

    def _function_context(self, records, run):
        def log(message, level="info"):
            getattr(
                _logger,
                level if level in ("debug", "info", "warning", "error") else "info",
            )("%s: %s", self.rule_id.name, message)

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

    # -- webhook ---------------------------------------------------------

    def _webhook_payloads(self, records, run):
        fnames = self.webhook_field_ids.mapped("name")
        data = {}
        if fnames:
            for values in records.sudo().read(fnames, load=None):
                data[values.pop("id")] = values
        occurred_at = Datetime.to_string(run.trigger_time if run else Datetime.now())
        trigger = run.trigger if run else "manual"
        return {
            record.id: {
                "model": records._name,
                "id": record.id,
                "rule": self.rule_id.name,
                "action": self.name,
                "trigger": trigger,
                "occurred_at": occurred_at,
                "data": json.loads(json.dumps(data.get(record.id, {}), default=str)),
            }
            for record in records
        }

    def _run_webhook(self, records, run):
        if run is None or run.job is None:
            raise UserError(self.env._("Webhooks are sent by scheduled jobs only."))
        run.job._send_webhook(run.attempts)
