# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Bad input, case by case: the inputs of issue 24 that were accepted and then
failed at every run, or refused in the database's or the ORM's words. Each is
refused at entry with a message of ours that names the rule (the robot, the
trigger) and the action. The random inputs are in test_faults_input.py
(pytest only); these run under both runners. The HTTP cases go over real HTTP
(Odoo's WSGI application in a thread, on the test's cursor)."""

import json

import requests

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import StageCase
from .odoo_server import OdooServer


@tagged("post_install", "-at_install")
class TestBadInputCases(StageCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.workflow_developer = new_test_user(
            cls.env,
            login="cwa_cases_developer",
            groups="sales_team.group_sale_manager,"
            "crm_workflow_automation.group_workflow_developer",
        )

    def save_rule(self, action, user=None, name="Typed rule", **rule_values):
        """Save a rule with one action as a user would, through the ORM."""
        Rule = self.env["crm.workflow.rule"].with_user(user or self.sales_manager)
        return Rule.create(
            {
                "name": name,
                "trigger": "on_create_or_write",
                "condition_ids": [
                    Command.create(
                        {"sequence": 1, "action_ids": [Command.create(action)]}
                    )
                ],
                **rule_values,
            }
        )

    def assert_refused(self, make, *fragments):
        """``make()`` is refused with a ValidationError whose message holds
        every fragment; nothing of it is kept."""
        with self.assertRaises(ValidationError) as caught:
            with self.env.cr.savepoint():
                make()
        message = str(caught.exception)
        for fragment in fragments:
            self.assertIn(fragment, message)
        return message

    def missing_id(self, model):
        self.env.cr.execute(f'SELECT COALESCE(max(id), 0) + 1000 FROM "{model}"')
        return self.env.cr.fetchone()[0]

    # -- accepted, then failing at every run -------------------------------

    def test_field_update_to_a_record_that_does_not_exist_is_refused(self):
        missing = self.missing_id("res_partner")
        action = {
            "action_type": "field_update",
            "name": "Set the customer",
            "update_field_id": self.field("partner_id").id,
            "update_record_ref": f"res.partner,{missing}",
        }
        self.assert_refused(
            lambda: self.save_rule(action),
            "Action “Set the customer” of rule “Typed rule”",
            f"#{missing} does not exist",
        )
        # a record that exists is kept
        partner = self.env["res.partner"].create({"name": "Customer"})
        rule = self.save_rule(
            dict(action, update_record_ref=f"res.partner,{partner.id}")
        )
        lead = self.new_lead()
        self.assertEqual(self.read_back(lead).partner_id, partner)
        self.assertFalse(self.runs(rule, lead, state="failed"))
        self.assert_refused(
            lambda: rule.action_ids.with_user(self.sales_manager).write(
                {"update_record_ref": "res.partner,x"}
            ),
            "“res.partner,x” is not a record",
        )

    def test_date_update_in_words_is_refused_an_iso_date_is_kept(self):
        action = {
            "action_type": "field_update",
            "name": "Set the deadline",
            "update_field_id": self.field("date_deadline").id,
            "update_value": "next tuesday",
        }
        self.assert_refused(
            lambda: self.save_rule(action),
            "Action “Set the deadline” of rule “Typed rule”",
            "“next tuesday” is not a date",
            "2026-12-31",
        )
        rule = self.save_rule(dict(action, update_value="2026-12-31"))
        lead = self.new_lead()
        self.assertEqual(str(self.read_back(lead).date_deadline), "2026-12-31")
        self.assertFalse(self.runs(rule, lead, state="failed"))
        datetime_action = dict(
            action, update_field_id=self.field("date_closed").id, update_value="17:30"
        )
        self.assert_refused(lambda: self.save_rule(datetime_action), "not a date")
        self.save_rule(dict(datetime_action, update_value="2026-12-31 17:30:00"))

    def test_expressions_the_sandbox_cannot_run_are_refused(self):
        update = {
            "action_type": "field_update",
            "name": "Compute the note",
            "update_field_id": self.field("description").id,
            "update_mode": "expression",
        }
        dev = self.workflow_developer
        for expression, words in (
            ("open('/etc/passwd').read()", "uses “open”, which is not available"),
            ("[1 for record.name in ['x']]", "STORE_ATTR"),
            ("record.__class__", "__class__"),
        ):
            with self.subTest(expression=expression):
                self.assert_refused(
                    lambda e=expression: self.save_rule(
                        dict(update, update_expression=e), user=dev
                    ),
                    "Action “Compute the note” of rule “Typed rule”",
                    words,
                )
        # what the documentation promises stays accepted
        self.save_rule(
            dict(
                update,
                update_expression="'%s %s' % (record.name, [t.name for t in "
                "record.tag_ids]) + str(context_today() + relativedelta(days=1))",
            ),
            user=dev,
        )
        function = self.env["crm.workflow.function"].create(
            {
                "name": "Note (tests)",
                "api_name": "cases_note_tests",
                "code": "result = args['text']",
                "argument_ids": [
                    Command.create({"name": "text", "arg_type": "char"}),
                ],
            }
        )
        call = {
            "action_type": "function",
            "name": "Call the note",
            "function_id": function.id,
        }
        for expression, words in (
            ("open('x')", "argument “text” uses “open”"),
            ("[1 for record.name in ['x']]", "STORE_ATTR"),
        ):
            with self.subTest(argument=expression):
                arguments = [
                    Command.create(
                        {
                            "argument_id": function.argument_ids.id,
                            "mode": "expression",
                            "expression": expression,
                        }
                    )
                ]
                self.assert_refused(
                    lambda a=arguments: self.save_rule(
                        dict(call, function_argument_ids=a), user=dev
                    ),
                    "Action “Call the note” of rule “Typed rule”",
                    words,
                )

    def test_task_due_in_a_billion_days_is_refused(self):
        task = {
            "action_type": "activity",
            "name": "Call back",
            "activity_type_id": self.todo.id,
        }
        for days in (10**9, -(10**9), 10**12):
            with self.subTest(days=days):
                self.assert_refused(
                    lambda d=days: self.save_rule(dict(task, activity_due_days=d)),
                    "Action “Call back” of rule “Typed rule”",
                    "within 100 years",
                )
        rule = self.save_rule(dict(task, activity_due_days=36500))
        lead = self.new_lead()
        self.assertEqual(len(lead.activity_ids), 1)
        self.assertFalse(self.runs(rule, lead, state="failed"))
        self.assert_refused(
            lambda: rule.action_ids.write({"activity_due_days": 36501}),
            "Action “Call back” of rule “Typed rule”",
        )

    def test_webhook_trigger_reference_of_another_model_is_refused(self):
        foreign = self.field("ref", "res.partner")
        self.assert_refused(
            lambda: self.trigger(
                self.s3, "webhook", name="Paid", webhook_reference_field_id=foreign.id
            ),
            "Trigger “Paid”",
            "field of the opportunity",
        )
        trigger = self.trigger(self.s3, "webhook", name="Paid")
        self.assert_refused(
            lambda: trigger.write(
                {"webhook_reference_field_id": self.field("expected_revenue").id}
            ),
            "Trigger “Paid”",
        )
        # a trigger saved before the check: the call gets a JSON answer
        self.env.cr.execute(
            "UPDATE crm_workflow_trigger SET webhook_reference_field_id = %s "
            "WHERE id = %s",
            [foreign.id, trigger.id],
        )
        self.env.invalidate_all()
        with OdooServer(self.registry, self.cr) as server:
            response = requests.post(
                f"{server.url}/crm_workflow/trigger/{trigger.sudo().webhook_token}",
                data=json.dumps({"ref": "ORDER-42"}),
                headers={"Content-Type": "application/json"},
                timeout=30,
            )
        self.assertEqual(response.status_code, 500, response.text)
        self.assertIn("application/json", response.headers["Content-Type"])
        self.assertEqual(response.json()["status"], "misconfigured")

    def test_webhook_call_that_fails_on_our_side_answers_json(self):
        """Whatever fails in a call (here a condition saved around the check),
        the sender reads JSON, and the call's changes are rolled back."""
        trigger = self.trigger(self.s3, "webhook", name="Paid")
        lead = self.new_lead()
        self.env.cr.execute(
            "UPDATE crm_workflow_trigger SET domain = %s WHERE id = %s",
            ["[('no_such_field', '=', 1)]", trigger.id],
        )
        self.env.invalidate_all()
        with (
            OdooServer(self.registry, self.cr) as server,
            mute_logger("odoo.addons.crm_workflow_automation.controllers.main"),
        ):
            response = requests.post(
                f"{server.url}/crm_workflow/trigger/{trigger.sudo().webhook_token}",
                json={"id": lead.id},
                timeout=30,
            )
        self.assertEqual(response.status_code, 500, response.text)
        self.assertIn("application/json", response.headers["Content-Type"])
        self.assertEqual(response.json()["status"], "error")
        self.assertEqual(self.read_back(lead).stage_id, self.s1)

    # -- refused, in our words ---------------------------------------------

    def test_rule_on_our_own_records_says_why(self):
        message = self.assert_refused(
            lambda: self.env["crm.workflow.rule"]
            .with_user(self.sales_manager)
            .create(
                {
                    "name": "Rules on rules",
                    "model_id": self.env["ir.model"]._get_id("crm.workflow.rule"),
                }
            ),
            "Rule “Rules on rules”",
            "Workflow Automation itself",
        )
        self.assertNotIn("no chatter", message)

    def test_robot_on_a_stage_that_does_not_exist_says_so(self):
        missing = self.missing_id("crm_stage")
        self.assert_refused(
            lambda: self.robot(self.env["crm.stage"].browse(missing), name="Greet"),
            f"“Greet”: the stage #{missing} does not exist",
        )
        robot = self.robot(self.s2, name="Greet")
        self.assert_refused(
            lambda: robot.with_user(self.sales_manager).write({"stage_id": missing}),
            f"“Greet”: the stage #{missing} does not exist",
        )

    def test_unknown_choices_are_refused_in_words(self):
        self.assert_refused(
            lambda: self.trigger(self.s2, "when_it_rains", name="Rain"),
            "“Rain”: “when_it_rains” is not a choice of “When”",
            "webhook (Webhook called)",
        )
        trigger = self.trigger(self.s2, "won", name="Won deal")
        self.assert_refused(
            lambda: trigger.write({"trigger_type": "maybe"}), "“Won deal”: “maybe”"
        )
        # the same class of input on rules, their actions and robots
        self.assert_refused(
            lambda: self.save_rule(self.set_priority(), trigger="when_it_rains"),
            "Rule “Typed rule”: “when_it_rains” is not a choice",
        )
        self.assert_refused(
            lambda: self.save_rule({"name": "Dance", "action_type": "dance"}),
            "Action “Dance” of rule “Typed rule”: “dance” is not a choice",
        )
        self.assert_refused(
            lambda: self.robot(self.s2, name="Dance", action_type="dance"),
            "“Dance”: “dance” is not a choice",
        )

    def test_salesperson_reading_runs_of_a_lead_they_cannot_see(self):
        rule = self.make_rule(actions=[self.set_priority("2")])
        hidden = self.Lead.with_user(self.salesman2).create(
            {"name": "Tina's deal", "user_id": self.salesman2.id}
        )
        run = self.runs(rule, hidden)
        self.assertTrue(run)
        with self.assertRaisesRegex(AccessError, "cannot read the record it is about"):
            run.with_user(self.salesman).read(["state"])
        run.invalidate_recordset()
        with self.assertRaisesRegex(AccessError, "cannot read the record it is about"):
            run.with_user(self.salesman).state  # noqa: B018 - the read is the test

    # -- names typed at creation -------------------------------------------

    def test_messages_at_creation_name_what_the_user_typed(self):
        self.assert_refused(
            lambda: self.env["crm.workflow.rule"]
            .with_user(self.sales_manager)
            .create(
                {
                    "name": "Renewal reminder",
                    "trigger": "on_date",
                    "date_field_id": self.field("date_deadline").id,
                    "date_offset": 10**7,
                }
            ),
            "Rule “Renewal reminder”",
        )
        message = self.assert_refused(
            lambda: self.Robot.with_user(self.sales_manager).create(
                {"name": "Greet", "stage_id": self.s2.id, "action_type": "activity"}
            ),
            "Automation rule “Greet”",
        )
        self.assertNotIn("“”", message)
        message = self.assert_refused(
            lambda: self.Robot.with_user(self.sales_manager).create(
                {
                    "name": "Far task",
                    "stage_id": self.s2.id,
                    "action_type": "activity",
                    "activity_type_id": self.todo.id,
                    "activity_due_days": 10**10,
                }
            ),
            "Automation rule “Far task”",
        )


@tagged("post_install", "-at_install")
class TestBadInputHttp(StageCase):
    """The routes promise JSON answers: to a form-encoded body and to GET too."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.function = cls.env["crm.workflow.function"].create(
            {
                "name": "Echo (tests)",
                "api_name": "cases_echo_tests",
                "code": "result = args['text']",
                "argument_ids": [
                    Command.create(
                        {"name": "text", "arg_type": "char", "required": True}
                    )
                ],
            }
        )
        cls.key = (
            cls.env["res.users.apikeys"]
            .with_user(cls.sales_manager)
            .sudo()
            ._generate(None, "tests", None)
        )

    def setUp(self):
        super().setUp()
        self.env.flush_all()  # the server thread reads the database
        self.server = self.enterContext(OdooServer(self.registry, self.cr))
        self.url = f"{self.server.url}/crm_workflow/function/cases_echo_tests"
        self.auth = {"Authorization": f"Bearer {self.key}"}

    def assert_json_error(self, response, status, code):
        self.assertEqual(response.status_code, status, response.text)
        self.assertTrue(response.headers["Content-Type"].startswith("application/json"))
        self.assertEqual(response.json()["error"]["code"], code)
        return response.json()["error"]["message"]

    def test_form_encoded_body_is_415_asking_for_json(self):
        response = requests.post(
            self.url, data={"text": "hello"}, headers=self.auth, timeout=30
        )
        message = self.assert_json_error(response, 415, "unsupported_media_type")
        self.assertIn("Content-Type: application/json", message)
        # the same call in JSON works
        response = requests.post(
            self.url, json={"text": "hello"}, headers=self.auth, timeout=30
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json(), {"result": "hello"})

    def test_get_is_a_json_405(self):
        for url in (self.url, f"{self.server.url}/crm_workflow/trigger/any-token"):
            with self.subTest(url=url):
                response = requests.get(url, headers=self.auth, timeout=30)
                self.assert_json_error(response, 405, "method_not_allowed")
                self.assertEqual(response.headers["Allow"], "POST")
