# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Test run: what each action would do on one record (the rendered email,
the new value, the signed webhook request, the function's result), with no
side effect at all."""

import hashlib
import hmac

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .common import WorkflowCase


@tagged("post_install", "-at_install")
class TestTestRun(WorkflowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "crm_workflow_automation.webhook_allowed_hosts", "127.0.0.1"
        )
        cls.lead = cls.Lead.create(
            {"name": "Test-run lead", "expected_revenue": 90000, "priority": "0"}
        )
        cls.small = cls.Lead.create({"name": "Small lead", "expected_revenue": 10})
        cls.template = cls.env["mail.template"].create(
            {
                "name": "Test-run template",
                "model_id": cls.env["ir.model"]._get_id("crm.lead"),
                "subject": "Big deal: {{ object.name }}",
                "body_html": "<p>Hi</p>",
            }
        )

    def rule(self, actions, **values):
        return self.make_rule(
            "Big deals (test run)",
            active=False,
            domain="[('expected_revenue', '>=', 50000)]",
            actions=actions,
            **values,
        )

    def snapshot(self):
        self.env.flush_all()
        cr = self.env.cr
        counts = {}
        for table in (
            "mail_mail",
            "mail_message",
            "crm_workflow_job",
            "crm_workflow_run",
        ):
            cr.execute(SQL("SELECT count(*) FROM %s", SQL.identifier(table)))
            counts[table] = cr.fetchone()[0]
        cr.execute(
            "SELECT id, write_date, priority FROM crm_lead WHERE id = ANY(%s) "
            "ORDER BY id",
            [[self.lead.id, self.small.id]],
        )
        counts["leads"] = cr.fetchall()
        return counts

    def try_rule(self, rule, record=None):
        wizard = self.env["crm.workflow.test.run"].create(
            {"rule_id": rule.id, "res_id": (record or self.lead).id}
        )
        wizard.action_run()
        return wizard.line_ids

    def test_field_update_shows_the_new_value_and_writes_nothing(self):
        rule = self.rule([self.set_priority("3")])
        before = self.snapshot()
        lines = self.try_rule(rule)
        self.assertEqual(self.snapshot(), before)
        line = lines.filtered("action_id")
        self.assertEqual(line.outcome, "would_run")
        self.assertIn("Priority: Low → Very High", line.detail)
        self.assertEqual(self.lead.priority, "0")

    def test_email_shows_its_rendered_subject_and_recipients_and_is_not_sent(self):
        rule = self.rule(
            [
                {
                    "action_type": "email",
                    "mail_template_id": self.template.id,
                    "email_recipients": "addresses",
                    "email_addresses": "boss@example.com",
                }
            ]
        )
        before = self.snapshot()
        line = self.try_rule(rule).filtered("action_id")
        self.assertEqual(self.snapshot(), before)
        self.assertIn("Subject: Big deal: Test-run lead", line.detail)
        self.assertIn("To: boss@example.com", line.detail)

    def test_webhook_shows_its_payload_and_signature_header_and_is_not_queued(self):
        rule = self.rule(
            [
                {
                    "action_type": "webhook",
                    "webhook_url": "http://127.0.0.1:9/hooks",
                    "webhook_secret": "s3cret",
                    "webhook_signature_header": "X-Hub-Signature",
                    "webhook_field_ids": [(6, 0, [self.field("name").id])],
                }
            ]
        )
        before = self.snapshot()
        line = self.try_rule(rule).filtered("action_id")
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(line.outcome, "would_run")
        detail = line.detail.splitlines()
        self.assertIn("POST http://127.0.0.1:9/hooks", detail)
        body = detail[-1]
        self.assertIn('"name":"Test-run lead"', body)
        expected = hmac.new(b"s3cret", body.encode(), hashlib.sha256).hexdigest()
        self.assertIn(f"X-Hub-Signature: sha256={expected}", detail)
        self.assertNotIn("s3cret", line.detail)

    def test_function_shows_its_result_and_log_and_its_writes_are_undone(self):
        rule = self.rule(
            [
                self.function_action(
                    "record.write({'priority': '2'})\n"
                    "log('raised ' + record.name)\n"
                    "result = {'priority': record.priority}"
                )
            ]
        )
        before = self.snapshot()
        line = self.try_rule(rule).filtered("action_id")
        self.assertEqual(self.snapshot(), before)
        self.assertIn('Result: {"priority": "2"}', line.detail)
        self.assertIn("INFO: raised Test-run lead", line.detail)

    def test_several_actions_and_a_scheduled_one(self):
        rule = self.rule(
            [
                self.set_priority("3"),
                dict(
                    self.set_priority("1"),
                    timing="scheduled",
                    delay_amount=2,
                    delay_unit="days",
                ),
            ]
        )
        before = self.snapshot()
        lines = self.try_rule(rule).filtered("action_id")
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(lines.mapped("outcome"), ["would_run", "scheduled"])
        self.assertIn("Due on", lines[1].detail)
        self.assertIn("Very High → Medium", lines[1].detail)

    def test_record_that_meets_no_condition_runs_no_action(self):
        rule = self.rule([self.set_priority("3")])
        lines = self.try_rule(rule, self.small)
        self.assertFalse(lines.filtered("action_id"))
        self.assertEqual(lines[-1].outcome, "skipped")
        self.assertIn("none of the rule's conditions", lines[-1].detail)

    def test_failing_action_is_reported_and_the_others_still_shown(self):
        rule = self.rule(
            [
                self.function_action("raise UserError('no way')"),
                self.set_priority("3"),
            ]
        )
        lines = self.try_rule(rule).filtered("action_id")
        self.assertEqual(lines.mapped("outcome"), ["failed", "would_run"])
        self.assertIn("no way", lines[0].detail)

    def test_automation_rule_test_run(self):
        robot = self.env["crm.workflow.robot"].create(
            {
                "name": "Qualified (test run)",
                "stage_id": self.stage_qualified.id,
                "action_type": "field_update",
                "update_field_id": self.field("priority").id,
                "update_value": "2",
            }
        )
        before = self.snapshot()
        action = robot.action_test_run()
        wizard = self.env["crm.workflow.test.run"].browse(action["res_id"])
        wizard.res_id = self.lead.id
        wizard.action_run()
        self.assertEqual(self.snapshot()["leads"], before["leads"])
        line = wizard.line_ids.filtered("action_id")
        self.assertEqual(line.action_id, robot.action_id)
        self.assertIn("Priority: Low → High", line.detail)

    def test_test_run_needs_a_record(self):
        rule = self.rule([self.set_priority("3")])
        wizard = self.env["crm.workflow.test.run"].create({"rule_id": rule.id})
        with self.assertRaises(UserError):
            wizard.action_run()

    def test_a_workflow_manager_runs_a_test(self):
        manager = new_test_user(
            self.env,
            login="cwa_test_run_manager",
            groups="sales_team.group_sale_manager,"
            "crm_workflow_automation.group_workflow_manager",
        )
        rule = self.rule([self.set_priority("3")])
        before = self.snapshot()
        wizard = (
            self.env["crm.workflow.test.run"]
            .with_user(manager)
            .create({"rule_id": rule.id, "res_id": self.lead.id})
        )
        wizard.action_run()
        self.assertEqual(self.snapshot(), before)
        self.assertIn("Low → Very High", wizard.line_ids.filtered("action_id").detail)

    def test_task_notification_followers_and_server_action_are_described(self):
        server_action = self.env["ir.actions.server"].create(
            {
                "name": "Tag as hot (tests)",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "state": "code",
                "code": "records.write({'priority': '3'})",
            }
        )
        rule = self.rule(
            [
                {
                    "action_type": "activity",
                    "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                    "activity_summary": "Call the customer",
                    "activity_user_type": "user",
                    "activity_user_id": self.salesman.id,
                    "activity_due_days": 2,
                },
                {"action_type": "notify", "user_ids": [(6, 0, self.sales_manager.ids)]},
                {
                    "action_type": "add_followers",
                    "partner_ids": [(6, 0, self.salesman2.partner_id.ids)],
                },
                {"action_type": "server_action", "server_action_id": server_action.id},
            ]
        )
        before = self.snapshot()
        self.env.flush_all()
        self.env.cr.execute("SELECT count(*) FROM mail_activity")
        activities = self.env.cr.fetchone()[0]
        lines = self.try_rule(rule).filtered("action_id")
        self.assertEqual(self.snapshot(), before)
        self.env.cr.execute("SELECT count(*) FROM mail_activity")
        self.assertEqual(self.env.cr.fetchone()[0], activities)
        self.assertNotIn(self.salesman2.partner_id, self.lead.message_partner_ids)
        task, notify, followers, server = lines
        self.assertIn("Task “Call the customer”", task.detail)
        self.assertIn(self.salesman.name, task.detail)
        self.assertIn(f"Notifies: {self.sales_manager.name}", notify.detail)
        self.assertIn(self.salesman2.partner_id.display_name, followers.detail)
        self.assertIn("Tag as hot (tests)", server.detail)
        self.assertEqual(self.lead.priority, "0")
