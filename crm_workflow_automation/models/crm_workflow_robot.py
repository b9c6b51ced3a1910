# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo import api, fields, models


class CrmWorkflowRobot(models.Model):
    """An automation rule of a stage (Bitrix24's "robot"): one action that
    runs when an opportunity enters the stage. The action is a
    ``crm.workflow.action`` by delegation, so every action type, including
    those a further module adds, is a robot type with its own fields under
    the same names, and runs through the same ``_execute`` dispatch."""

    _name = "crm.workflow.robot"
    _description = "Automation Rule"
    _inherit = ["crm.workflow.stage.automation.mixin", "crm.workflow.pending.job.mixin"]
    _run_owner_field = "robot_id"
    _pending_job_field = "robot_id"
    _pending_job_types = ("robot",)
    _inherits = {"crm.workflow.action": "action_id"}
    _order = "sequence, id"

    action_id = fields.Many2one(
        "crm.workflow.action",
        string="Action details",
        required=True,
        ondelete="cascade",
        auto_join=True,
        index=True,
    )
    execution_mode = fields.Selection(
        [
            ("parallel", "When the opportunity enters the stage"),
            ("after_previous", "After the previous automation rule"),
        ],
        string="Starts",
        required=True,
        default="parallel",
        help="Automation rules of a stage start simultaneously when the "
        "opportunity enters it, or in sequence: after the previous one has run, "
        "its delay counted from then.",
    )
    keep_on_leave = fields.Boolean(
        string="Run even if the opportunity leaves the stage",
        help="Otherwise leaving the stage cancels this automation rule when it "
        "has not run yet.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        help="Gets the tasks that name no one; its time zone counts the delays "
        "in days.",
    )
    summary = fields.Char(string="Overview", compute="_compute_summary")

    @api.depends(
        "name",
        "timing",
        "delay_amount",
        "delay_unit",
        "delay_anchor",
        "delay_date_field_id",
        "execution_mode",
        "domain",
        "working_hours_only",
    )
    def _compute_summary(self):
        for robot in self:
            when = robot._when_summary()
            if robot.working_hours_only:
                when = self.env._("%(when)s, in working hours", when=when)
            parts = [robot.name or "", when]
            condition = robot._condition_summary()
            if condition:
                parts.append(self.env._("if %(condition)s", condition=condition))
            robot.summary = " · ".join(p for p in parts if p)

    def _when_summary(self):
        """'immediately', 'after 30 minutes', '1 day before Expected Closing',
        'after the previous one'."""
        units = dict(self._fields["delay_unit"]._description_selection(self.env))
        unit = units.get(self.delay_unit, "").lower()
        amount = abs(self.delay_amount or 0)
        delayed = self.timing == "scheduled"
        if delayed and self.delay_anchor == "date_field" and self.delay_date_field_id:
            date = self.delay_date_field_id.field_description
            if not self.delay_amount:
                return self.env._("on %(date)s", date=date)
            if self.delay_amount < 0:
                return self.env._(
                    "%(amount)s %(unit)s before %(date)s",
                    amount=amount,
                    unit=unit,
                    date=date,
                )
            return self.env._(
                "%(amount)s %(unit)s after %(date)s",
                amount=amount,
                unit=unit,
                date=date,
            )
        previous = self.execution_mode == "after_previous"
        if delayed and amount:
            if previous:
                return self.env._(
                    "%(amount)s %(unit)s after the previous one",
                    amount=amount,
                    unit=unit,
                )
            return self.env._("after %(amount)s %(unit)s", amount=amount, unit=unit)
        if previous:
            return self.env._("after the previous one")
        return self.env._("immediately")

    @api.model_create_multi
    def create(self, vals_list):
        lead_model = self.env["ir.model"]._get_id("crm.lead")
        for vals in vals_list:
            # the form sends model_id False: a robot's action is on leads
            if not vals.get("model_id"):
                vals["model_id"] = lead_model
        # the action is created first (``_inherits``): its checks then know
        # whose it is, before the robot exists
        robots = super(
            CrmWorkflowRobot, self.with_context(crm_workflow_robot_action=True)
        ).create(vals_list)
        return robots.with_env(self.env)

    def write(self, vals):
        """The action's fields go to it in one write: the ORM writes delegated
        fields one by one, and a new type would be checked before its own
        fields arrive. The robot and its action are one save: one version."""
        records, vals = self._with_pending_job_policy(vals)
        if records is not None:
            return records.write(vals)
        self._check_vals_before_save(vals)
        inherited = {
            name: vals[name]
            for name in list(vals)
            if name in self._fields and self._fields[name].inherited
        }
        owners = self._version_owners() if self._version_relevant(vals) else []
        with self._version_scope(owners):
            if inherited:
                vals = {k: v for k, v in vals.items() if k not in inherited}
                self.action_id.write(inherited)
            return super().write(vals)

    def unlink(self):
        actions = self.action_id
        res = super().unlink()
        actions.unlink()
        return res

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        """The robot form shows the action form (with the fields of every
        action type, those of further modules included) in its placeholder:
        one form per action type, written once."""
        arch, view = super()._get_view(view_id, view_type, **options)
        placeholder = arch.find(".//div[@name='action_form']")
        if view_type == "form" and placeholder is not None:
            action_arch, __ = self.env["crm.workflow.action"]._get_view(
                view_type="form"
            )
            sheet = action_arch.find(".//sheet")
            for child in list(sheet if sheet is not None else action_arch):
                placeholder.addprevious(child)
            placeholder.getparent().remove(placeholder)
            for node in arch.iter("field"):
                if node.get("name") == "recheck_condition":
                    node.getparent().remove(node)
        return arch, view

    # ------------------------------------------------------------------
    # versions (crm.workflow.versioned.mixin): the robot with its action
    # ------------------------------------------------------------------

    @api.model
    def _version_parts(self):
        return (
            super()._version_parts() + self.env["crm.workflow.action"]._version_parts()
        )

    @api.model
    def _version_ignored_fields(self):
        return (
            super()._version_ignored_fields()
            | self.env["crm.workflow.action"]._version_ignored_fields()
        )

    @api.model
    def _version_kind(self):
        return self.env._("Automation rule")

    def action_preview(self):
        """The opportunities this automation rule concerns now."""
        self.ensure_one()
        preview = self.env["crm.workflow.preview"].create({"robot_id": self.id})
        return preview._action_open()

    def action_test_run(self):
        """Try the automation rule on one opportunity; nothing is kept."""
        self.ensure_one()
        wizard = self.env["crm.workflow.test.run"].create({"robot_id": self.id})
        return wizard._action_open()

    # ------------------------------------------------------------------
    # the board
    # ------------------------------------------------------------------

    @api.model
    def get_board(self, team_id=False):
        """The columns of a pipeline's board: its stages in order, each with
        its triggers and its robots (execution order) and their summaries."""
        team = self.env["crm.team"].browse(team_id).exists()
        Stage = self.env["crm.stage"]
        stages = Stage.search(
            ["|", ("team_id", "=", False), ("team_id", "=", team.id)] if team else []
        )
        scope = [("stage_id", "in", stages.ids)]
        if team:
            scope.append(("team_id", "in", (False, team.id)))
        robots = self.search(scope).grouped("stage_id")
        triggers = self.env["crm.workflow.trigger"].search(scope).grouped("stage_id")
        columns = []
        for stage in stages:
            columns.append(
                {
                    "stage_id": stage.id,
                    "name": stage.name,
                    "triggers": [
                        {
                            "id": t.id,
                            "name": t.name,
                            "summary": t.summary,
                            "icon": t._trigger_icon(),
                        }
                        for t in triggers.get(stage, [])
                    ],
                    "robots": [
                        {"id": r.id, "name": r.name, "summary": r.summary}
                        for r in robots.get(stage, [])
                    ],
                }
            )
        return {"team": team.name or "", "columns": columns}

    # ------------------------------------------------------------------
    # the engine's side
    # ------------------------------------------------------------------

    def _date_rule_tz(self):
        """The responsible's time zone, as a rule's."""
        rule = self.env["crm.workflow.rule"].new({"user_id": self.user_id.id})
        return rule._date_rule_tz()

    def _may_run_as_superuser(self):
        """Robots run as the user who moved the record, never as superuser."""
        return False

    def _requires_job_now(self):
        """Robots that cannot run in the moving transaction: delayed, or
        leaving the database (webhook)."""
        self.ensure_one()
        return self.timing == "scheduled" or self.action_id._requires_job()


class CrmWorkflowAction(models.Model):
    """The action of a robot answers to its robot (name, responsible, time
    zone) where a rule's action answers to its rule."""

    _inherit = "crm.workflow.action"

    robot_ids = fields.One2many("crm.workflow.robot", "action_id", string="Robot")

    def _owner(self):
        return self.robot_ids[:1] or super()._owner()

    def _version_owners(self):
        return super()._version_owners() + [self.robot_ids]

    def _config_message(self, problem):
        """A robot and its action are one thing to the user, under one name."""
        if not (self.robot_ids or self.env.context.get("crm_workflow_robot_action")):
            return super()._config_message(problem)
        return self.env._(
            "Automation rule “%(name)s”: %(problem)s",
            name=self.name or "",
            problem=problem,
        )

    def _finish_later(self, records, context, data):
        """The robot's run is finished (a request answered): its data joins
        the stage entry's, the run log says so, and the robots after it start
        for the records still in its stage."""
        robot = self.robot_ids[:1]
        if not robot or not records:
            return super()._finish_later(records, context, data)
        context = dict(context or {})
        merged = dict(context.get("data") or {}, **(data or {}))
        engine = self.env["crm.workflow.engine"]
        event = engine._event("activity_done", records._name, records._ids)
        event.uid = context.get("entry") or event.uid
        self.env["crm.workflow.run"]._log_bulk(
            engine._log_rows(
                None,
                None,
                records._name,
                records._ids,
                "done",
                event=event,
                action=self,
                robot=robot,
                result=json.dumps(data or {}, default=str, ensure_ascii=False),
            )
        )
        engine._continue_robot_chain(robot, records, context, merged)
        return None
