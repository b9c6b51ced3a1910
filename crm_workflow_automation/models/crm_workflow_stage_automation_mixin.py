# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools import safe_eval

from .choices import unknown_choice_problem


class CrmWorkflowStageAutomationMixin(models.AbstractModel):
    """What robots and triggers share: they live on a stage of a pipeline,
    in an order, under a condition, and a change of them refreshes the
    registry cache the ORM hook reads (as rules do)."""

    _name = "crm.workflow.stage.automation.mixin"
    _inherit = ["crm.workflow.run.owner.mixin", "crm.workflow.versioned.mixin"]
    _description = "Stage automation (robots and triggers)"
    _order = "sequence, id"

    stage_id = fields.Many2one(
        "crm.stage", string="Stage", required=True, ondelete="cascade", index=True
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        ondelete="cascade",
        help="Only for the opportunities of this sales team (when the stage is "
        "shared by several pipelines).",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    domain = fields.Char(
        string="Criteria",
        default="[]",
        help="Only for the opportunities that meet this condition.",
    )

    @api.model
    def _version_domain_fields(self):
        return super()._version_domain_fields() | {"domain"}

    @api.constrains("domain")
    def _check_domain(self):
        Lead = self.env["crm.lead"].sudo()
        for record in self:
            try:
                Lead._search(record._eval_domain(), limit=1)
            except Exception as e:
                raise ValidationError(
                    self.env._(
                        "“%(name)s”: the condition is not valid: %(error)s",
                        name=record.display_name,
                        error=e,
                    )
                ) from e

    @api.constrains("stage_id", "team_id")
    def _check_stage_team(self):
        for record in self:
            stage_team = record.stage_id.team_id
            if stage_team and record.team_id and stage_team != record.team_id:
                raise ValidationError(
                    self.env._(
                        "The stage “%(stage)s” belongs to the pipeline of the sales "
                        "team “%(team)s”.",
                        stage=record.stage_id.name,
                        team=stage_team.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_vals_before_save(vals)
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        self._check_vals_before_save(vals)
        res = super().write(vals)
        self.env.registry.clear_cache()
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res

    @api.model
    def _check_vals_before_save(self, vals):
        """Before the database sees them: a stage or team that does not exist
        (PostgreSQL would only name a foreign key) and an unknown choice (the
        ORM would raise a bare ValueError), refused in words."""
        name = vals.get("name") or (self[:1].name if self else "") or ""
        stage, team = vals.get("stage_id"), vals.get("team_id")
        if self._missing(stage, "crm.stage"):
            raise ValidationError(
                self.env._(
                    "“%(name)s”: the stage #%(id)s does not exist (it may have "
                    "been deleted).",
                    name=name,
                    id=stage,
                )
            )
        if self._missing(team, "crm.team"):
            raise ValidationError(
                self.env._(
                    "“%(name)s”: the sales team #%(id)s does not exist (it may "
                    "have been deleted).",
                    name=name,
                    id=team,
                )
            )
        problem = unknown_choice_problem(self, vals)
        if problem:
            raise ValidationError(
                self.env._("“%(name)s”: %(problem)s", name=name, problem=problem)
            )

    @api.model
    def _missing(self, value, model):
        """Whether ``value`` is the id of no record of ``model``."""
        return (
            isinstance(value, int)
            and value > 0
            and not self.env[model].sudo().browse(value).exists()
        )

    @api.model
    def board_move(self, record_id, stage_id, ordered_ids):
        """Drag and drop on the board: the robot or trigger lands on
        ``stage_id``; ``ordered_ids`` are that column's robots (or triggers)
        in their new order."""
        record = self.browse(record_id)
        if record.stage_id.id != stage_id:
            record.stage_id = stage_id
        for sequence, record in enumerate(self.browse(ordered_ids), start=1):
            if record.sequence != sequence:
                record.sequence = sequence
        return True

    def _eval_domain(self, data=None):
        """The condition as a domain; it may read ``data``, what earlier
        robots of the stage entry left (``data.get('offer_no')``)."""
        self.ensure_one()
        if not self.domain:
            return []
        context = dict(
            self.env["crm.workflow.condition"]._domain_eval_context(),
            data=dict(data or {}),
        )
        domain = safe_eval.safe_eval(self.domain, context)
        if not isinstance(domain, list | tuple):
            raise ValueError(self.env._("the condition must be a list of criteria"))
        return expression.normalize_domain(list(domain)) if domain else []

    def _scope_domain(self, data=None):
        """The records this robot or trigger is for: its condition, its team
        (or its stage's), its company."""
        domain = self._eval_domain(data)
        team = self.team_id or self.stage_id.team_id
        if team:
            domain = expression.AND([domain, [("team_id", "=", team.id)]])
        return domain

    def _condition_summary(self):
        """The condition in a few words for the board: "if Stage = New, …"."""
        try:
            domain = self._eval_domain()
        except Exception:  # a summary never breaks the board
            return self.domain or ""
        fields_ = self.env["crm.lead"]._fields
        parts = []
        for leaf in domain:
            if not isinstance(leaf, list | tuple) or len(leaf) != 3:
                continue
            name, operator, value = leaf
            field = fields_.get(str(name).split(".")[0])
            label = field._description_string(self.env) if field else name
            parts.append(f"{label} {operator} {value}")
        return ", ".join(parts)
