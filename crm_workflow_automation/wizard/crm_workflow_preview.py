# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression

PREVIEW_THRESHOLD = "crm_workflow_automation.preview_threshold"
SAMPLE_SIZE = 5
FIRST_DUE_TIMES = 10


class CrmWorkflowPreview(models.TransientModel):
    """What a rule or an automation rule would concern if it ran now: the
    records each condition matches, and what its dates would schedule over
    the next days. Filled at create (integrators create it over the API and
    read it), and read-only: it searches and counts, nothing else."""

    _name = "crm.workflow.preview"
    _description = "Preview of a Workflow Rule"

    rule_id = fields.Many2one("crm.workflow.rule", string="Rule", ondelete="cascade")
    robot_id = fields.Many2one(
        "crm.workflow.robot", string="Automation rule", ondelete="cascade"
    )
    res_model = fields.Char(string="Model", compute="_compute_res_model")
    days = fields.Integer(
        string="Days ahead",
        default=30,
        help="Scheduled runs are counted over this many days from now.",
    )
    line_ids = fields.One2many(
        "crm.workflow.preview.line", "preview_id", string="Matching records"
    )
    match_count = fields.Integer(string="Records concerned", readonly=True)
    scheduled_count = fields.Integer(string="Scheduled runs", readonly=True)
    first_due_times = fields.Text(string="First due times", readonly=True)
    touched_count = fields.Integer(
        string="Records touched at once",
        readonly=True,
        help="Records a single event would run on together: those meeting the "
        "criteria (an import or a mass edit), or, for a date rule that "
        "includes overdue dates, those it runs on as soon as it is activated.",
    )
    threshold = fields.Integer(string="Warning threshold", readonly=True)
    warning = fields.Text(readonly=True)

    @api.depends("rule_id", "robot_id")
    def _compute_res_model(self):
        for preview in self:
            preview.res_model = (
                preview.rule_id.model_name or (preview.robot_id and "crm.lead") or False
            )

    @api.constrains("rule_id", "robot_id", "days")
    def _check_target(self):
        for preview in self:
            if bool(preview.rule_id) == bool(preview.robot_id):
                raise ValidationError(
                    self.env._("Preview either a rule or an automation rule.")
                )
            if not 0 < preview.days <= 3660:
                raise ValidationError(
                    self.env._("Preview between 1 and 3,660 days ahead.")
                )

    @api.model_create_multi
    def create(self, vals_list):
        previews = super().create(vals_list)
        previews._fill()
        return previews

    def action_refresh(self):
        self._fill()
        return self._action_open()

    def _action_open(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Preview"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    # ------------------------------------------------------------------
    # counting (searches only: nothing is written but the preview itself)
    # ------------------------------------------------------------------

    def _threshold(self):
        value = (
            self.env["ir.config_parameter"].sudo().get_param(PREVIEW_THRESHOLD, 1000)
        )
        try:
            return int(value)
        except ValueError:
            return 1000

    def _fill(self):
        for preview in self:
            if preview.rule_id:
                lines, due, touched = preview._preview_rule(preview.rule_id.sudo())
            else:
                lines, due, touched = preview._preview_robot(preview.robot_id.sudo())
            threshold = preview._threshold()
            due.sort(key=lambda item: item[0])
            warning = False
            if threshold and touched > threshold:
                warning = self.env._(
                    "%(count)s records would be touched at once, more than the "
                    "threshold of %(threshold)s: check the criteria before "
                    "activating.",
                    count=touched,
                    threshold=threshold,
                )
            preview.line_ids.unlink()
            preview.write(
                {
                    "line_ids": [(0, 0, values) for values in lines],
                    "match_count": sum(values["match_count"] for values in lines),
                    "scheduled_count": len(due),
                    "first_due_times": preview._format_due(due[:FIRST_DUE_TIMES]),
                    "touched_count": touched,
                    "threshold": threshold,
                    "warning": warning,
                }
            )

    def _format_due(self, due):
        if not due:
            return False
        lines = []
        for eta, record, what in due:
            local = fields.Datetime.context_timestamp(self, eta)
            lines.append(
                f"{local.strftime('%Y-%m-%d %H:%M')} · {record.display_name} · {what}"
            )
        return "\n".join(lines)

    def _line_values(self, Model, domain, name, condition=None):
        records = Model.search(domain, order="id")
        return {
            "condition_id": condition.id if condition else False,
            "name": name,
            "match_count": len(records),
            "sample": ", ".join(records[:SAMPLE_SIZE].mapped("display_name")),
            "sample_res_ids": ",".join(str(rid) for rid in records[:SAMPLE_SIZE].ids),
            "domain": repr(domain),
        }, records

    def _preview_rule(self, rule):
        """Lines per condition as the engine takes them: the first condition
        a record meets wins, "all other records" takes the rest."""
        Model = self.env[rule.model_name].sudo()
        company = rule._company_domain(Model)
        lines, taken, matched = [], [], Model.browse()
        branches = {}
        conditions = rule.condition_ids
        for condition in conditions.filtered(lambda c: not c.is_fallback):
            domain = condition._eval_domain()
            if domain:
                own = expression.AND([company, domain] + [["!"] + d for d in taken])
            else:
                own = expression.AND([company] + [["!"] + d for d in taken])
            values, records = self._line_values(
                Model, own, condition.display_name, condition
            )
            lines.append(values)
            matched |= records
            branches[condition] = records
            taken.append(expression.normalize_domain(domain or []) or [(1, "=", 1)])
        for condition in conditions.filtered("is_fallback"):
            rest = expression.AND([company] + [["!"] + d for d in taken])
            values, records = self._line_values(
                Model, rest, condition.display_name, condition
            )
            lines.append(values)
            matched |= records
            branches[condition] = records
        due, touched = [], len(matched)
        # a type that runs at its own moments (a date) says when, and for how
        # many records at once
        hook = rule._trigger_hook("preview")
        planned = hook(self, Model, company) if hook else None
        if planned is not None:
            due, touched = planned
        due += self._action_dates(branches, due)
        return lines, due, touched

    def _horizon(self):
        now = fields.Datetime.now()
        return now, now + timedelta(days=self.days)

    def _action_dates(self, branches, rule_due):
        """When the delayed actions of each branch would be due within the
        horizon: counted from a date field of the records the branch takes,
        or, in a date rule, from the rule's own run (``rule_due``). Delays
        counted from another trigger wait for an event that has not happened."""
        now, end = self._horizon()
        due = []
        for condition, records in branches.items():
            actions = condition.with_context(active_test=False).action_ids.filtered(
                lambda a: a.timing == "scheduled"
            )
            for action in actions:
                if action.delay_anchor == "date_field" and action.delay_date_field_id:
                    etas = action._compute_etas(records, now).items()
                else:
                    etas = [
                        (record.id, action._compute_etas(record, moment)[record.id])
                        for moment, record, __ in rule_due
                        if record in records
                    ]
                for rid, eta in etas:
                    if now <= eta <= end:
                        due.append((eta, records.browse(rid), action.display_name))
        return due

    def _preview_robot(self, robot):
        """The opportunities in the robot's stage that meet its condition:
        those it would have run for when they entered."""
        Model = self.env["crm.lead"].sudo()
        domain = expression.AND(
            [robot._scope_domain(), [("stage_id", "=", robot.stage_id.id)]]
        )
        name = self.env._(
            "In the stage “%(stage)s” and meeting the condition",
            stage=robot.stage_id.display_name,
        )
        values, records = self._line_values(Model, domain, name)
        due = []
        if (
            robot.timing == "scheduled"
            and robot.delay_anchor == "date_field"
            and robot.delay_date_field_id
        ):
            now, end = self._horizon()
            for rid, eta in robot.action_id._compute_etas(records, now).items():
                if now <= eta <= end:
                    due.append((eta, records.browse(rid), robot.display_name))
        return [values], due, len(records)
