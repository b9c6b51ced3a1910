# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import contextlib

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..runtime.event import Event, Run


class _RolledBack(Exception):
    """Ends the test run's savepoint: nothing of it is kept."""


class CrmWorkflowTestRun(models.TransientModel):
    """Try a rule or an automation rule on one record: its trigger, its
    conditions and each action's effect (the email's subject and recipients,
    a field's new value, the webhook's request, the function's result), run
    inside a savepoint that is always rolled back. Nothing is sent, written
    or queued; each action type tells its effect in ``_test_<type>``."""

    _name = "crm.workflow.test.run"
    _description = "Test Run of a Workflow Rule"

    rule_id = fields.Many2one("crm.workflow.rule", string="Rule", ondelete="cascade")
    robot_id = fields.Many2one(
        "crm.workflow.robot", string="Automation rule", ondelete="cascade"
    )
    res_model = fields.Char(string="Model", compute="_compute_res_model", store=True)
    res_id = fields.Many2oneReference(string="Record", model_field="res_model")
    state = fields.Selection(
        [("draft", "Not run"), ("done", "Run")], default="draft", readonly=True
    )
    line_ids = fields.One2many(
        "crm.workflow.test.run.line", "test_run_id", string="What would happen"
    )

    @api.depends("rule_id", "robot_id")
    def _compute_res_model(self):
        for wizard in self:
            wizard.res_model = (
                wizard.rule_id.model_name or (wizard.robot_id and "crm.lead") or False
            )

    @api.constrains("rule_id", "robot_id")
    def _check_target(self):
        for wizard in self:
            if bool(wizard.rule_id) == bool(wizard.robot_id):
                raise ValidationError(
                    self.env._("Test either a rule or an automation rule.")
                )

    def _action_open(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Test run"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _record(self):
        record = self.env[self.res_model].browse(self.res_id).exists()
        if not self.res_id or not record:
            raise UserError(self.env._("Choose the record to test the rule on."))
        record.check_access("read")
        return record.with_context(mail_notify_force_send=False)

    def action_run(self):
        """Fill the lines: what each action would do on the record."""
        self.ensure_one()
        records = self._record()
        lines = []
        engine = self.env["crm.workflow.engine"]
        with contextlib.suppress(_RolledBack), engine._savepoint():
            if self.rule_id:
                self._test_rule(self.rule_id.sudo(), records, lines)
            else:
                self._test_robot(self.robot_id.sudo(), records, lines)
            raise _RolledBack
        self.line_ids.unlink()
        self.write(
            {
                "state": "done",
                "line_ids": [
                    (0, 0, dict(values, sequence=number))
                    for number, values in enumerate(lines, start=1)
                ],
            }
        )
        return self._action_open()

    # ------------------------------------------------------------------
    # inside the savepoint
    # ------------------------------------------------------------------

    def _line(self, outcome, detail, action=None):
        return {
            "outcome": outcome,
            "detail": detail,
            "action_id": action.id if action else False,
        }

    def _when(self, moment):
        local = fields.Datetime.context_timestamp(self, moment)
        return local.strftime("%Y-%m-%d %H:%M")

    def _test_rule(self, rule, records, lines):
        engine = self.env["crm.workflow.engine"]
        trigger = self.env._("Trigger: %(trigger)s", trigger=rule._trigger_label())
        note = rule._trigger_hook("test_note")
        if note and note():
            trigger += " " + note()
        lines.append(self._line("info", trigger))
        if not rule.active or rule.paused:
            lines.append(
                self._line(
                    "info",
                    self.env._(
                        "The rule is paused or inactive: this is what it would do "
                        "once active."
                    ),
                )
            )
        # the event the test simulates, as the trigger type tells it (a date
        # rule says when it would run, or that it would not)
        hook = rule._trigger_hook("test")
        kind = hook(self, records, lines) if hook else "write"
        if not kind:
            return
        if rule.repeat_mode == "first_match" and engine._already_done(
            rule, records.ids
        ):
            lines.append(
                self._line(
                    "skipped",
                    self.env._(
                        "The rule already ran for this record, and runs only the "
                        "first time."
                    ),
                )
            )
            return
        branches = engine._match_conditions(rule, records._name, records.ids)
        if not branches:
            lines.append(
                self._line(
                    "skipped",
                    self.env._("The record meets none of the rule's conditions."),
                )
            )
            return
        condition = branches[0][0]
        lines.append(
            self._line(
                "info",
                self.env._(
                    "The record meets the condition “%(condition)s”.",
                    condition=condition.display_name,
                ),
            )
        )
        run = Run(rule, condition, event=Event(kind, records._name, records.ids))
        with engine._on_chain(rule, records.ids):
            # the actions of an inactive rule are inactive too
            actions = condition.with_context(active_test=False).action_ids
            for action in actions.sorted(lambda a: (a.sequence, a.id)):
                lines.append(self._test_action(action, records, run))

    def _test_robot(self, robot, records, lines):
        engine = self.env["crm.workflow.engine"]
        record = records.sudo()
        lines.append(
            self._line(
                "info",
                self.env._(
                    "Runs when the opportunity enters the stage “%(stage)s”.",
                    stage=robot.stage_id.display_name,
                ),
            )
        )
        if record.stage_id != robot.stage_id:
            lines.append(
                self._line(
                    "info",
                    self.env._(
                        "The opportunity is in the stage “%(stage)s”: the test run "
                        "acts as if it entered “%(target)s”.",
                        stage=record.stage_id.display_name or "—",
                        target=robot.stage_id.display_name,
                    ),
                )
            )
        if not robot.active:
            lines.append(
                self._line(
                    "info",
                    self.env._(
                        "The automation rule is inactive: this is what it would "
                        "do once active."
                    ),
                )
            )
        domain = robot._scope_domain()
        if domain and not engine._search_ids(records._name, records.ids, domain):
            lines.append(
                self._line(
                    "skipped",
                    self.env._(
                        "The opportunity does not meet the automation rule's condition."
                    ),
                )
            )
            return
        run = Run(None, None, event=Event("stage_entry", records._name, records.ids))
        with engine._on_chain(robot, records.ids):
            lines.append(self._test_action(robot.action_id, records, run))

    def _test_action(self, action, records, run):
        """One line: the action's outcome and what it would do."""
        engine = self.env["crm.workflow.engine"]
        head = ""
        outcome = "would_run"
        if action.timing == "scheduled":
            eta = action._compute_etas(records, run.trigger_time).get(records.id)
            if eta is None:
                return self._line(
                    "skipped",
                    self.env._(
                        "No date in %(field)s: the action would not be scheduled.",
                        field=action.delay_date_field_id.field_description,
                    ),
                    action,
                )
            outcome = "scheduled"
            head = self.env._("Due on %(date)s.", date=self._when(eta))
        elif action._requires_job():
            head = self.env._("Sent from a job once the change is saved.")
        try:
            with engine._savepoint():
                detail = action._test(records, run)
        except Exception as e:  # a test run reports every failure
            return self._line("failed", "\n".join(filter(None, [head, str(e)])), action)
        return self._line(outcome, "\n".join(filter(None, [head, detail])), action)
