# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools import safe_eval

from ..runtime.predicate import compile_domain, static_domain

# what the rule index keeps of a condition
INDEXED = {"domain", "is_fallback", "sequence", "rule_id"}


# the criteria cache's mark of a domain that depends on the moment
_OF_THE_MOMENT = object()


class CrmWorkflowCondition(models.Model):
    _name = "crm.workflow.condition"
    _inherit = ["crm.workflow.version.part.mixin"]
    _description = "Workflow Rule Condition"
    _order = "is_fallback, sequence, id"
    _version_parent_field = "rule_id"

    rule_id = fields.Many2one(
        "crm.workflow.rule",
        string="Rule",
        required=True,
        ondelete="cascade",
        index=True,
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Condition", translate=True)
    # A plain field filled from the rule (the context's default in the form,
    # the rule at create): the web client cannot compute a related field of
    # a rule that is not saved yet, and the criteria and the actions' field
    # domains need the record type while all three are being created.
    model_id = fields.Many2one(
        "ir.model",
        string="Record type",
        required=True,
        ondelete="cascade",
        index=True,
    )
    model_name = fields.Char(related="model_id.model", string="Model")
    domain = fields.Char(
        string="Criteria",
        default="[]",
        help="This condition's actions run for the records that meet these criteria. "
        "Empty criteria: every record.",
    )
    domain_text = fields.Char(
        string="Criteria in words",
        compute="_compute_domain_text",
        help="The criteria as the condition dialog shows them, in your language.",
    )
    is_fallback = fields.Boolean(
        string="All other records",
        help="Runs for the records that meet none of the rule's other conditions.",
    )
    action_ids = fields.One2many(
        "crm.workflow.action", "condition_id", string="Actions", copy=True
    )
    instant_action_ids = fields.One2many(
        "crm.workflow.action",
        "condition_id",
        string="Instant actions",
        domain=[("timing", "=", "instant")],
        context={"default_timing": "instant"},
    )
    scheduled_action_ids = fields.One2many(
        "crm.workflow.action",
        "condition_id",
        string="Scheduled actions",
        domain=[("timing", "=", "scheduled")],
        context={"default_timing": "scheduled"},
    )
    company_id = fields.Many2one(related="rule_id.company_id", store=True, index=True)

    @api.model_create_multi
    def create(self, vals_list):
        rules = self.env["crm.workflow.rule"]
        for vals in vals_list:
            if vals.get("rule_id"):
                model = rules.browse(vals["rule_id"]).model_id
                vals["model_id"] = model.id or vals.get("model_id")
        rules._invalidate_rule_index()
        return super().create(vals_list)

    def unlink(self):
        self.env["crm.workflow.run"].sudo()._forget("condition_id", self.ids)
        self.env["crm.workflow.rule"]._invalidate_rule_index()
        if self.ids:
            # a job kept for a version refers to the condition and to its
            # action, both ON DELETE SET NULL: PostgreSQL cannot null two
            # foreign keys of one row from one DELETE (the first update checks
            # the second key against the action the cascade already removed),
            # so the condition's is nulled first
            Job = self.env["crm.workflow.job"]
            Job.flush_model(["condition_id"])
            self.env.cr.execute(
                "UPDATE crm_workflow_job SET condition_id = NULL "
                "WHERE condition_id = ANY(%s)",
                [list(self.ids)],
            )
            Job.invalidate_model(["condition_id"])
        return super().unlink()

    def write(self, vals):
        res = super().write(vals)
        if INDEXED.intersection(vals):
            # the rule index holds each rule's conditions (the prefilter)
            self.env["crm.workflow.rule"]._invalidate_rule_index()
        if "model_id" in vals:
            # the actions follow (and check that they still fit)
            self.action_ids.write({"model_id": vals["model_id"]})
        return res

    @api.model
    def _version_parts(self):
        return super()._version_parts() + ("action_ids",)

    @api.model
    def _version_ignored_fields(self):
        # the record type follows the rule's
        return super()._version_ignored_fields() | {"model_id"}

    @api.model
    def _version_domain_fields(self):
        return super()._version_domain_fields() | {"domain"}

    @api.model
    def _version_kind(self):
        return self.env._("Condition")

    @api.onchange("rule_id")
    def _onchange_rule_id(self):
        if self.rule_id.model_id:
            self.model_id = self.rule_id.model_id

    @api.depends("name", "is_fallback", "sequence")
    def _compute_display_name(self):
        for condition in self:
            if condition.is_fallback:
                condition.display_name = self.env._("All other records")
            else:
                condition.display_name = condition.name or self.env._(
                    "Condition %(number)s", number=condition.sequence
                )

    @api.depends("domain", "model_id", "is_fallback")
    @api.depends_context("lang")
    def _compute_domain_text(self):
        for condition in self:
            if condition.is_fallback:
                condition.domain_text = self.env._("All other records")
                continue
            try:
                domain = condition._eval_domain()
                Model = self.env[condition.model_name]
                text = condition._domain_words(Model, domain)
            except Exception:  # a broken domain is shown as it is
                text = condition.domain
            condition.domain_text = text or self.env._("All records")

    def _operator_words(self):
        """The domain widget's words for each operator (Odoo's tree editor)."""
        _ = self.env._
        return {
            "=": "=",
            "!=": "!=",
            "<>": "!=",
            ">": ">",
            ">=": ">=",
            "<": "<",
            "<=": "<=",
            "in": _("is in"),
            "not in": _("is not in"),
            "like": _("contains"),
            "ilike": _("contains"),
            "=like": _("matches"),
            "=ilike": _("matches"),
            "not like": _("does not contain"),
            "not ilike": _("does not contain"),
            "child_of": _("is in"),
            "parent_of": _("is in"),
        }

    def _domain_words(self, Model, domain):
        """A normalized (prefix) domain in words: "Expected Revenue > 50000
        and Probability > 70", field labels in the env's language."""
        tokens = list(domain)
        _ = self.env._

        def parse():
            token = tokens.pop(0)
            if token in ("&", "|"):
                left, right = parse(), parse()
                word = _("and") if token == "&" else _("or")
                parts = []
                for kind, text in (left, right):
                    if kind not in (token, "leaf"):
                        text = f"({text})"
                    parts.append(text)
                return token, f" {word} ".join(parts)
            if token == "!":
                __, text = parse()
                return "leaf", _("not (%(criteria)s)", criteria=text)
            return "leaf", self._leaf_words(Model, token)

        if not tokens:
            return ""
        return parse()[1]

    def _leaf_words(self, Model, leaf):
        if leaf in (expression.TRUE_LEAF, (1, "=", 1), [1, "=", 1]):
            return self.env._("All records")
        if leaf in (expression.FALSE_LEAF, (0, "=", 1), [0, "=", 1]):
            return self.env._("No record")
        path, operator, value = leaf
        labels, field = [], None
        model = Model
        for name in str(path).split("."):
            field = model._fields.get(name)
            if field is None:
                labels.append(name)
                break
            labels.append(field._description_string(self.env))
            if field.relational:
                model = self.env[field.comodel_name]
        label = " > ".join(labels)
        if field is not None and field.type == "boolean" and operator in ("=", "!="):
            is_set = bool(value) == (operator == "=")
            return (
                self.env._("%(field)s is set", field=label)
                if is_set
                else (self.env._("%(field)s is not set", field=label))
            )
        if value is False and operator in ("=", "!="):
            if operator == "=":
                return self.env._("%(field)s is not set", field=label)
            return self.env._("%(field)s is set", field=label)
        words = self._operator_words().get(operator, operator)
        return f"{label} {words} {self._value_words(field, value)}"

    def _value_words(self, field, value):
        values = value if isinstance(value, list | tuple) else [value]
        if (
            field is not None
            and field.relational
            and all(isinstance(v, int) for v in values)
        ):
            records = self.env[field.comodel_name].sudo().browse(values).exists()
            names = records.mapped("display_name")
        elif field is not None and field.type == "selection":
            labels = dict(field._description_selection(self.env))
            names = [str(labels.get(v, v)) for v in values]
        else:
            names = [f'"{v}"' if isinstance(v, str) else str(v) for v in values]
        if isinstance(value, list | tuple):
            return ", ".join(names) if names else "[]"
        return names[0] if names else str(value)

    @api.constrains("domain", "model_id")
    def _check_domain(self):
        for condition in self:
            if condition.is_fallback:
                continue
            try:
                domain = condition._eval_domain()
                Model = self.env[condition.model_name].sudo()
                # runs the SQL, so that unknown fields and operators, and values
                # of the wrong type ("stage > True") fail here, not in the
                # user's edit; in a savepoint, as PostgreSQL aborts on an error
                with self.env.cr.savepoint(flush=False):
                    Model.search_count(domain, limit=1)
            except Exception as e:
                raise ValidationError(
                    self.env._(
                        "Rule “%(rule)s”: the criteria of condition “%(condition)s” "
                        "are "
                        "not valid: %(error)s",
                        rule=condition.rule_id.name,
                        condition=condition.display_name,
                        error=e,
                    )
                ) from e

    @api.constrains("is_fallback", "rule_id")
    def _check_one_fallback(self):
        self.rule_id._check_one_fallback()

    @api.model
    def _domain_eval_context(self):
        return {
            "datetime": safe_eval.datetime,
            "dateutil": safe_eval.dateutil,
            "relativedelta": safe_eval.dateutil.relativedelta.relativedelta,
            "time": safe_eval.time,
            "context_today": lambda: fields.Date.context_today(self),
            "uid": self.env.uid,
            "user": self.env.user,
        }

    def _criteria(self, rule, Model):
        """(criteria, with the rule's company, compiled) of the condition for
        the matcher (``_criteria_of``)."""
        self.ensure_one()
        company = rule._company_domain(Model)
        return self._criteria_of(
            Model,
            "" if self.is_fallback else (self.domain or ""),
            company[0][2][1] if company else None,
        )

    def _criteria_of(self, Model, text, company_id):
        """(criteria, whole, compiled) of the domain ``text`` with the rule's
        company: ``criteria`` the domain itself ([] matches everything),
        ``whole`` with the company, ``compiled`` its (predicate, field names)
        or None when only SQL answers it (``runtime/predicate.py``). A literal
        domain is parsed and compiled once per registry and kept by its text
        (the same text is the same criteria: nothing to invalidate); one that
        depends on the moment (``uid``, ``context_today()``) is evaluated at
        each event, on ``self``."""
        if company_id and "company_id" not in Model._fields:
            company_id = None
        key = (Model._name, text, company_id)
        cache = self.env.registry.__dict__.setdefault("_crm_workflow_criteria", {})
        found = cache.get(key)
        company = [("company_id", "in", (False, company_id))] if company_id else []
        if found is _OF_THE_MOMENT:
            return self._criteria_now(Model, company)
        if found is not None:
            return found
        domain = static_domain(text) if text.strip() else ()
        if domain is None:
            # parsed once: later events go straight to the evaluation
            cache[key] = _OF_THE_MOMENT
            return self._criteria_now(Model, company)
        whole = tuple(expression.AND([list(domain), company])) if company else domain
        found = (tuple(domain), whole, compile_domain(Model, whole))
        if len(cache) > 10_000:
            cache.clear()
        cache[key] = found
        return found

    @api.model
    def _of_the_moment(self, Model, text, company_id):
        """Whether ``_criteria_of`` (asked first) evaluates these criteria at
        each event: read from its cache, the text is not parsed again."""
        if company_id and "company_id" not in Model._fields:
            company_id = None
        cache = self.env.registry.__dict__.get("_crm_workflow_criteria", {})
        return cache.get((Model._name, text, company_id)) is _OF_THE_MOMENT

    def _criteria_now(self, Model, company):
        """``_criteria_of`` for a domain that depends on the moment."""
        if self.is_fallback or not self.domain:
            domain = []
        else:
            domain = self._eval_moment_domain()
        whole = expression.AND([domain, company]) if company else domain
        return domain, whole, compile_domain(Model, whole)

    def _eval_domain(self):
        """The criteria as a domain list (the fallback matches everything)."""
        self.ensure_one()
        if self.is_fallback or not self.domain:
            return []
        static = static_domain(self.domain)
        if static is not None:
            return list(static)
        return self._eval_moment_domain()

    def _eval_moment_domain(self):
        """A domain that reads ``uid``, ``context_today()``..., evaluated now."""
        domain = safe_eval.safe_eval(self.domain, self._domain_eval_context())
        if not isinstance(domain, list | tuple):
            raise ValueError(self.env._("the criteria must be a list of conditions"))
        return expression.normalize_domain(list(domain))
