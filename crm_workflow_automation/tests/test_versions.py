# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Versions of rules, automation rules, stage triggers and functions: one per
save that changes something, a diff in words, a restore that is a version."""

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import ActionCase, FunctionCase, StageCase


class VersionMixin:
    def versions(self, record):
        Version = self.env["crm.workflow.version"].sudo()
        Version.invalidate_model()
        return Version.search(
            [("res_model", "=", record._name), ("res_id", "=", record.id)],
            order="number",
        )

    def changes(self, version, other=None):
        """What changed from ``other`` (default: the version before)."""
        version = version.with_user(self.sales_manager)
        if other is None:
            other = version._previous()[version]
        return version._diff_lines(other)


@tagged("post_install", "-at_install")
class TestRuleVersions(VersionMixin, ActionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule = cls.env["crm.workflow.rule"].with_user(cls.sales_manager)

    def big_deal_rule(self):
        return self.rule_as(
            self.sales_manager,
            [
                {
                    "name": "Set priority",
                    **self.field_update("priority", "2"),
                },
                {
                    "name": "Notify",
                    "action_type": "notify",
                    "user_ids": [Command.set(self.sales_manager.ids)],
                },
            ],
            domain="[('expected_revenue', '>', 50000)]",
            name="Big Deal Alert",
            trigger="on_create_or_write",
        )

    def test_each_save_keeps_a_version_with_who_and_when(self):
        rule = self.big_deal_rule()
        first = self.versions(rule)
        self.assertEqual(first.mapped("number"), [1])
        self.assertEqual(first.kind, "create")
        self.assertEqual(first.user_id, self.sales_manager)
        self.assertTrue(first.date)
        rule.with_user(self.sales_manager).write({"on_error": "block"})
        rule.with_user(self.sales_manager).write({"name": "Big Deal Alert (EU)"})
        versions = self.versions(rule)
        self.assertEqual(versions.mapped("number"), [1, 2, 3])
        self.assertEqual(versions.mapped("kind"), ["create", "edit", "edit"])
        self.assertEqual(versions[1:].user_id, self.sales_manager)
        self.assertEqual(rule.with_user(self.sales_manager).version_count, 3)
        self.assertEqual(
            self.changes(versions[1]),
            [
                "When an action fails: Log the error and keep the user's change → "
                "Refuse the user's change"
            ],
        )
        self.assertIn(
            "When an action fails: Refuse the user", versions[1].snapshot_html
        )

    def test_a_save_that_changes_nothing_keeps_no_version(self):
        rule = self.big_deal_rule()
        rule.with_user(self.sales_manager).write({"name": "Big Deal Alert"})
        # what the engine and the lists write: counters, a pause, the order
        rule._register_failures(count=2, reason="boom")
        rule.action_resume()
        rule.sequence = 42
        # the form saving a condition as it is
        rule.condition_ids.write({"domain": rule.condition_ids.domain})
        self.assertEqual(len(self.versions(rule)), 1)

    def test_inactive_rules_keep_a_history_too(self):
        rule = self.big_deal_rule()
        rule.with_user(self.sales_manager).action_deactivate()
        rule.with_user(self.sales_manager).write({"description": "Draft"})
        versions = self.versions(rule)
        self.assertEqual(len(versions), 3)
        self.assertEqual(self.changes(versions[1]), ["Active: yes → no"])

    def test_diff_tells_changed_criteria_changed_setting_and_removed_action(self):
        rule = self.big_deal_rule()
        rule.condition_ids.name = "Big deals"
        condition = rule.condition_ids
        priority, notify = condition.action_ids
        condition.with_user(self.sales_manager).write(
            {
                "domain": "[('expected_revenue', '>', 80000)]",
                "action_ids": [
                    Command.update(priority.id, {"update_value": "3"}),
                    Command.delete(notify.id),
                ],
            }
        )
        last = self.versions(rule)[-1]
        self.assertEqual(
            self.changes(last),
            [
                "Condition “Big deals”: Criteria: Expected Revenue > 50000 → "
                "Expected Revenue > 80000",
                "Condition “Big deals”: Action “Notify” removed",
                "Condition “Big deals”: Action “Set priority”: Value: “2” → “3”",
            ],
        )
        self.assertIn("Action “Notify” removed", last.with_user(self.salesman).summary)
        self.assertIn("Action “Notify” removed", last.diff_html)

    def test_reordering_actions_reads_as_their_new_order(self):
        rule = self.big_deal_rule()
        priority, notify = rule.condition_ids.action_ids
        rule.condition_ids.with_user(self.sales_manager).write(
            {
                "action_ids": [
                    Command.update(priority.id, {"sequence": 20}),
                    Command.update(notify.id, {"sequence": 5}),
                ]
            }
        )
        last = self.versions(rule)[-1]
        self.assertEqual(
            self.changes(last),
            [
                "Condition “Condition 10”: Action order: Set priority, Notify → "
                "Notify, Set priority"
            ],
        )
        # new numbers in the same order are no change
        priority.with_user(self.sales_manager).sequence = 40
        notify.with_user(self.sales_manager).sequence = 30
        self.assertEqual(self.versions(rule)[-1], last)

    def test_compare_any_two_versions(self):
        rule = self.big_deal_rule()
        rule.with_user(self.sales_manager).write({"on_error": "block"})
        rule.with_user(self.sales_manager).write({"repeat_mode": "first_match"})
        first, __, third = self.versions(rule)
        action = (first | third).with_user(self.sales_manager).action_compare()
        wizard = self.env["crm.workflow.version.compare"].browse(action["res_id"])
        self.assertEqual(wizard.old_version_id, first)
        self.assertEqual(wizard.new_version_id, third)
        self.assertIn("When an action fails", wizard.diff_html)
        self.assertIn("Only the first time the criteria are met", wizard.diff_html)

    def test_editing_an_action_or_condition_over_the_api_versions_its_rule(self):
        rule = self.big_deal_rule()
        priority = rule.action_ids.filtered(lambda a: a.name == "Set priority")
        priority.with_user(self.sales_manager).write({"update_value": "3"})
        self.assertEqual(len(self.versions(rule)), 2)
        self.env["crm.workflow.condition"].with_user(self.sales_manager).create(
            {"rule_id": rule.id, "name": "Small deals", "domain": "[]"}
        )
        self.assertEqual(len(self.versions(rule)), 3)
        self.assertEqual(
            self.changes(self.versions(rule)[-1]),
            ["Condition “Small deals” added"],
        )
        priority.with_user(self.sales_manager).unlink()
        versions = self.versions(rule)
        self.assertEqual(len(versions), 4)
        self.assertEqual(versions[-1].user_id, self.sales_manager)
        self.assertIn("Action “Set priority” removed", self.changes(versions[-1])[0])

    def test_rule_form_save_is_one_version(self):
        rule = self.big_deal_rule()
        with Form(rule.with_user(self.sales_manager)) as form:
            form.name = "Big Deal Alert (form)"
            form.on_error = "block"
        versions = self.versions(rule)
        self.assertEqual(len(versions), 2)
        self.assertEqual(len(self.changes(versions[-1])), 2)

    def test_restore_gives_back_conditions_and_actions_as_a_new_version(self):
        rule = self.big_deal_rule()
        condition = rule.condition_ids
        priority, notify = condition.action_ids
        rule.with_user(self.sales_manager).write(
            {
                "on_error": "block",
                "condition_ids": [
                    Command.update(
                        condition.id,
                        {
                            "domain": "[('expected_revenue', '>', 80000)]",
                            "action_ids": [
                                Command.update(priority.id, {"update_value": "3"}),
                                Command.delete(notify.id),
                            ],
                        },
                    ),
                    Command.create({"name": "Others", "is_fallback": True}),
                ],
            }
        )
        first = self.versions(rule)[0]
        first.with_user(self.sales_manager).action_restore()
        rule.invalidate_recordset()
        self.assertEqual(rule.on_error, "log")
        self.assertEqual(len(rule.condition_ids), 1)
        self.assertEqual(rule.condition_ids, condition, "the same condition, updated")
        self.assertEqual(condition.domain, "[('expected_revenue', '>', 50000)]")
        self.assertEqual(
            condition.action_ids.mapped("name"), ["Set priority", "Notify"]
        )
        self.assertEqual(condition.action_ids[0], priority)
        self.assertEqual(priority.update_value, "2")
        self.assertEqual(condition.action_ids[1].user_ids, self.sales_manager)
        versions = self.versions(rule)
        self.assertEqual(versions.mapped("kind"), ["create", "edit", "restore"])
        self.assertEqual(versions[-1].restored_from_id, first)
        self.assertEqual(versions[-1].user_id, self.sales_manager)
        self.assertEqual(self.changes(versions[-1], first), [])
        self.assertIn("Restored version 1", versions[-1].summary)
        # restoring what is already there says so
        with self.assertRaises(UserError):
            versions[-1].with_user(self.sales_manager).action_restore()

    def test_restore_referencing_a_deleted_template_fails_and_changes_nothing(self):
        other = self.template.copy({"name": "Lead welcome v2 (tests)"})
        rule = self.rule_as(
            self.sales_manager,
            [
                {
                    "name": "Welcome",
                    "action_type": "email",
                    "mail_template_id": self.template.id,
                }
            ],
        )
        action = rule.action_ids
        action.with_user(self.sales_manager).write(
            {"mail_template_id": other.id, "email_recipients": "followers"}
        )
        self.template.unlink()
        first = self.versions(rule)[0]
        self.assertIn(
            "Lead welcome (tests) (deleted)",
            " ".join(self.changes(self.versions(rule)[1])),
        )
        with self.assertRaises(UserError) as caught:
            first.with_user(self.sales_manager).action_restore()
        self.assertIn(
            "Email template: “Lead welcome (tests)” no longer exists",
            str(caught.exception),
        )
        self.assertIn("Action “Welcome”", str(caught.exception))
        self.assertEqual(action.mail_template_id, other)
        self.assertEqual(action.email_recipients, "followers")
        self.assertEqual(len(self.versions(rule)), 2)

    def test_a_rule_saved_before_the_history_gets_its_old_state_first(self):
        rule = self.big_deal_rule()
        self.versions(rule).unlink()  # as on a database before the history
        rule.with_user(self.sales_manager).write({"on_error": "block"})
        versions = self.versions(rule)
        self.assertEqual(versions.mapped("kind"), ["baseline", "edit"])
        self.assertEqual(versions[0].snapshot["fields"]["on_error"], "log")

    def test_lead_writes_keep_no_version(self):
        rule = self.big_deal_rule()
        lead = self.new_lead(expected_revenue=100000)
        lead.with_user(self.salesman).write({"expected_revenue": 200000})
        self.assertEqual(len(self.versions(rule)), 1)
        self.assertTrue(self.runs(rule=rule, records=lead))

    def test_deleting_a_rule_deletes_its_history(self):
        rule = self.big_deal_rule()
        rule.with_user(self.sales_manager).write({"on_error": "block"})
        versions = self.versions(rule)
        rule.with_user(self.sales_manager).unlink()
        self.assertFalse(versions.exists())

    def test_webhook_secrets_are_never_kept_in_a_version(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "crm_workflow_automation.webhook_allowed_hosts", "127.0.0.1"
        )
        rule = self.rule_as(
            self.sales_manager,
            [
                {
                    "name": "Push",
                    "action_type": "webhook",
                    "webhook_url": "http://127.0.0.1:9/hook",
                    "webhook_secret": "s3cr3t-signing-key",
                    "webhook_headers": '{"Authorization": "Bearer t0ken"}',
                }
            ],
        )
        action = rule.action_ids
        action.with_user(self.sales_manager).write(
            {"webhook_secret_new": "an0ther-key"}
        )
        versions = self.versions(rule)
        self.assertEqual(len(versions), 1, "a new secret alone is no version")
        action.with_user(self.sales_manager).write(
            {"webhook_url": "http://127.0.0.1:9/other"}
        )
        text = repr(self.versions(rule).mapped("snapshot"))
        self.assertIn("http://127.0.0.1:9/other", text)
        for secret in ("s3cr3t", "an0ther", "t0ken"):
            self.assertNotIn(secret, text)

    def test_the_four_forms_have_a_history_button(self):
        for model in (
            "crm.workflow.rule",
            "crm.workflow.robot",
            "crm.workflow.trigger",
            "crm.workflow.function",
        ):
            arch = (
                self.env[model]
                .with_user(self.sales_manager)
                .get_views([(False, "form")])["views"]["form"]["arch"]
            )
            self.assertIn('name="action_view_versions"', arch, model)

    def test_the_form_shows_the_history(self):
        rule = self.big_deal_rule()
        action = rule.with_user(self.sales_manager).action_view_versions()
        self.assertEqual(action["res_model"], "crm.workflow.version")
        found = (
            self.env["crm.workflow.version"]
            .with_user(self.salesman)
            .search(action["domain"])
        )
        self.assertEqual(found, self.versions(rule))


@tagged("post_install", "-at_install")
class TestRobotAndTriggerVersions(VersionMixin, StageCase):
    def test_robot_save_with_its_action_is_one_version(self):
        robot = self.robot(self.s2, name="Raise priority")
        robot.with_user(self.sales_manager).write(
            {
                "stage_id": self.s3.id,
                "update_value": "3",
                "timing": "scheduled",
                "delay_amount": 2,
                "delay_unit": "hours",
            }
        )
        versions = self.versions(robot)
        self.assertEqual(versions.mapped("kind"), ["create", "edit"])
        lines = self.changes(versions[-1])
        self.assertIn("Stage: P Documents → P Invoice", lines)
        self.assertIn("Value: “2” → “3”", lines)
        self.assertIn("Delay: 0 → 2", lines)
        self.assertIn("Timing: Instant action → Scheduled action", lines)
        # the board's drag and drop within a column: only the order
        self.Robot.with_user(self.sales_manager).board_move(
            robot.id, self.s3.id, [robot.id]
        )
        self.assertEqual(len(self.versions(robot)), 2)

    def test_robot_restore(self):
        robot = self.robot(self.s2, name="Raise priority", domain="[]")
        robot.with_user(self.sales_manager).write(
            {"update_value": "3", "domain": "[('probability', '>', 50)]"}
        )
        self.assertIn(
            "Criteria: All records → Probability > 50",
            self.changes(self.versions(robot)[-1]),
        )
        self.versions(robot)[0].with_user(self.sales_manager).action_restore()
        robot.invalidate_recordset()
        self.assertEqual(robot.update_value, "2")
        self.assertEqual(robot.domain, "[]")
        self.assertEqual(
            self.versions(robot).mapped("kind"), ["create", "edit", "restore"]
        )

    def test_editing_a_robot_action_over_the_api_versions_the_robot(self):
        robot = self.robot(self.s2, name="Raise priority")
        robot.action_id.with_user(self.sales_manager).write({"update_value": "1"})
        self.assertEqual(len(self.versions(robot)), 2)

    def test_stage_trigger_versions(self):
        trigger = self.trigger(
            self.s2,
            "field_match",
            name="Big enough",
            domain="[('expected_revenue', '>', 1000)]",
        )
        trigger.with_user(self.sales_manager).write(
            {"domain": "[('expected_revenue', '>', 5000)]", "allow_backward": True}
        )
        versions = self.versions(trigger)
        self.assertEqual(len(versions), 2)
        self.assertEqual(
            sorted(self.changes(versions[-1])),
            [
                "Allow moving back: no → yes",
                "Criteria: Expected Revenue > 1000 → Expected Revenue > 5000",
            ],
        )
        versions[0].with_user(self.sales_manager).action_restore()
        self.assertFalse(trigger.allow_backward)
        self.assertEqual(len(self.versions(trigger)), 3)


@tagged("post_install", "-at_install")
class TestFunctionVersions(VersionMixin, FunctionCase):
    def test_function_code_and_arguments_are_versioned_and_restored(self):
        function = self.make_function(
            "result = args['amount']",
            arguments=[{"name": "amount", "arg_type": "integer"}],
            name="Discount",
        )
        function.write(
            {"code": "rate = 2\nresult = args['amount'] * rate", "time_budget": 5}
        )
        self.env["crm.workflow.function.argument"].with_user(self.developer).create(
            {"function_id": function.id, "name": "rate", "arg_type": "float"}
        )
        versions = self.versions(function)
        self.assertEqual(len(versions), 3)
        self.assertEqual(versions[-1].user_id, self.developer)
        self.assertEqual(
            sorted(self.changes(versions[1])),
            ["Python code changed", "Time budget (s): 10.0 → 5.0"],
        )
        self.assertEqual(self.changes(versions[2]), ["Argument “rate” added"])
        versions[0].with_user(self.developer).action_restore()
        function.invalidate_recordset()
        self.assertEqual(function.code, "result = args['amount']")
        self.assertEqual(function.argument_ids.mapped("name"), ["amount"])
        self.assertEqual(function.time_budget, 10)
        self.assertEqual(self.versions(function)[-1].kind, "restore")
