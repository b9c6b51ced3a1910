# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Each action type's configuration checked at save: what is refused and how it
is worded. Run as the salesperson who creates or edits a lead; the effect is
read back from the database. And the hooks through which the core asks a type
what it needs to know (``_<hook>_<type>``): their defaults, and a further
type's own answers."""

import contextlib
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import ActionCase


@tagged("post_install", "-at_install")
class TestConfigurationChecks(ActionCase):
    """A bad action is refused when it is saved, with a message that names
    the action, the rule and the problem."""

    def assert_refused(self, problem, action, user=None, **rule_values):
        rule_values.setdefault("name", "Bad rule")
        with self.assertRaises(ValidationError) as caught:
            self.rule_as(user or self.sales_manager, [action], **rule_values)
        message = str(caught.exception)
        self.assertIn("of rule “Bad rule”", message)
        self.assertIn(problem, message)

    def test_email_without_template_or_recipients_is_refused(self):
        partner_template = self.env["mail.template"].create(
            {
                "name": "Partner greeting (tests)",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "subject": "Hi",
            }
        )
        email = {"action_type": "email", "mail_template_id": self.template.id}
        self.assert_refused(
            "choose the email template to send.", dict(email, mail_template_id=False)
        )
        self.assert_refused(
            "the template “Partner greeting (tests)” is made for another kind",
            dict(email, mail_template_id=partner_template.id),
        )
        self.assert_refused(
            "choose the users who receive the email.",
            dict(email, email_recipients="users"),
        )
        for addresses in (False, "desk@example.com, not-an-address"):
            self.assert_refused(
                "enter valid email addresses, separated by commas.",
                dict(email, email_recipients="addresses", email_addresses=addresses),
            )

    def test_task_without_type_or_user_is_refused(self):
        task = {"action_type": "activity", "activity_type_id": self.todo.id}
        self.assert_refused(
            "choose the activity type of the task.", dict(task, activity_type_id=False)
        )
        self.assert_refused(
            "choose the user who gets the task.", dict(task, activity_user_type="user")
        )
        self.assert_refused(
            "choose the user field of the record.",
            dict(task, activity_user_type="field"),
        )
        self.assert_refused(
            "the field “Salesperson” does not belong to Lead/Opportunity.",
            dict(
                task,
                activity_user_type="field",
                activity_user_field_id=self.field("user_id", "res.partner").id,
            ),
        )

    def test_field_update_of_wrong_field_or_value_is_refused(self):
        self.assert_refused(
            "choose the field to update.", {"action_type": "field_update"}
        )
        self.assert_refused(
            "the field “Email” does not belong to Lead/Opportunity.",
            {
                "action_type": "field_update",
                "update_field_id": self.field("email", "res.partner").id,
                "update_value": "a@b.example",
            },
        )
        self.assert_refused(
            "one-to-many fields cannot be updated by a rule.",
            self.field_update("activity_ids", False),
        )
        self.assert_refused(
            "“blue” is not a number.", self.field_update("color", "blue")
        )
        self.assert_refused(
            "“9” is not an option of this field.", self.field_update("priority", "9")
        )
        self.assert_refused(
            "choose a record of “CRM Tag” as the new value.",
            self.field_update("tag_ids", False, update_m2m_operation="add"),
        )
        self.assert_refused(
            "choose a record of “UTM Source” as the new value.",
            self.field_update(
                "source_id", False, update_record_ref=f"crm.tag,{self.tag_hot.id}"
            ),
        )

    def test_expression_that_does_not_compile_is_refused(self):
        def expression(code):
            return self.field_update(
                "referred", False, update_mode="expression", update_expression=code
            )

        self.assert_refused(
            "enter the expression that computes the new value.",
            expression("  "),
            user=self.developer,
        )
        self.assert_refused(
            "the expression does not compile",
            expression("record.name +"),
            user=self.developer,
        )
        self.assert_refused(
            "the expression does not compile",
            expression("record.__class__"),
            user=self.developer,
        )

    def test_function_action_needs_a_function_and_its_required_arguments(self):
        self.assert_refused("choose the function to call.", {"action_type": "function"})
        function = self.env["crm.workflow.function"].create(
            {
                "name": "Needs a source (tests)",
                "api_name": "needs_source",
                "code": "result = args['source']",
                "argument_ids": [
                    Command.create(
                        {"name": "source", "arg_type": "char", "required": True}
                    ),
                    Command.create({"name": "times", "arg_type": "integer"}),
                ],
            }
        )
        source, times = function.argument_ids
        call = {"action_type": "function", "function_id": function.id}
        self.assert_refused("give a value to the argument “source”.", call)
        self.assert_refused(
            "“two” is not a valid value of type Integer",
            dict(
                call,
                function_argument_ids=[
                    Command.create({"argument_id": source.id, "value": "web"}),
                    Command.create({"argument_id": times.id, "value": "two"}),
                ],
            ),
        )
        partner_function = self.env["crm.workflow.function"].create(
            {
                "name": "On partners (tests)",
                "api_name": "on_partners",
                "code": "result = 1",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
            }
        )
        self.assert_refused(
            "works on another kind of record",
            {"action_type": "function", "function_id": partner_function.id},
        )

    def test_webhook_with_bad_url_headers_or_internal_host_is_refused(self):
        hook = {"action_type": "webhook", "webhook_url": "https://127.0.0.1/hook"}
        self.env["ir.config_parameter"].set_param(
            "crm_workflow_automation.webhook_allowed_hosts", "hooks.example.test"
        )
        self.assert_refused(
            "the webhook URL must start with http:// or https://.",
            dict(hook, webhook_url="ftp://hooks.example.test/leads"),
        )
        self.assert_refused(
            "the extra headers are not valid JSON",
            dict(hook, webhook_url="https://hooks.example.test/x", webhook_headers="{"),
        )
        self.assert_refused(
            "the extra headers must be a JSON object of header names and string values",
            dict(
                hook,
                webhook_url="https://hooks.example.test/x",
                webhook_headers='{"X-Retries": 3}',
            ),
        )
        self.assert_refused(
            "the URL points to an internal address (127.0.0.1); ask a Settings "
            "administrator to allow the host “127.0.0.1”.",
            hook,
        )
        self.assert_refused(
            "does not belong to Lead/Opportunity.",
            dict(
                hook,
                webhook_url="https://hooks.example.test/x",
                webhook_field_ids=[
                    Command.set([self.field("email", "res.partner").id])
                ],
            ),
        )

    def test_owner_tags_stage_without_choice_are_refused(self):
        self.assert_refused("choose the salesperson.", {"action_type": "assign_owner"})
        for action_type in ("add_tags", "remove_tags"):
            self.assert_refused("choose the tags.", {"action_type": action_type})
        self.assert_refused("choose the stage.", {"action_type": "set_stage"})

    def test_crm_actions_on_records_without_crm_fields_are_refused(self):
        """Contacts have a salesperson but no team, tags or stage; blacklist
        entries have none of them."""
        partner = {"model_id": self.env["ir.model"]._get_id("res.partner")}
        blacklist = {"model_id": self.env["ir.model"]._get_id("mail.blacklist")}
        template = self.env["mail.template"].create(
            {"name": "Blacklist (tests)", "model_id": blacklist["model_id"]}
        )
        email = {"action_type": "email", "mail_template_id": template.id}
        no_owner = "these records have no salesperson."
        self.assert_refused(
            no_owner, dict(email, email_recipients="owner"), **blacklist
        )
        self.assert_refused(
            no_owner,
            {"action_type": "activity", "activity_type_id": self.todo.id},
            **blacklist,
        )
        self.assert_refused(
            no_owner,
            {"action_type": "assign_owner", "assign_user_id": self.salesman.id},
            **blacklist,
        )
        no_team = "these records have no sales team."
        self.assert_refused(
            no_team,
            {"action_type": "assign_owner", "assign_mode": "round_robin"},
            **partner,
        )
        partner_template = self.env["mail.template"].create(
            {"name": "Partner (tests)", "model_id": partner["model_id"]}
        )
        self.assert_refused(
            no_team,
            dict(
                email,
                mail_template_id=partner_template.id,
                email_recipients="team_leader",
            ),
            **partner,
        )
        self.assert_refused(
            "these records have no CRM tags.",
            {"action_type": "add_tags", "tag_ids": [Command.set(self.tag_hot.ids)]},
            **partner,
        )
        self.assert_refused(
            "these records have no CRM stage.",
            {"action_type": "set_stage", "target_stage_id": self.stage_qualified.id},
            **partner,
        )

    def test_rule_on_deleted_leads_refuses_actions_on_the_lead(self):
        self.assert_refused(
            "a rule on deleted records can only run actions of these types: ",
            {"action_type": "set_stage", "target_stage_id": self.stage_won.id},
            trigger="on_unlink",
        )

    def test_convert_on_contacts_is_refused(self):
        self.assert_refused(
            "only leads can be converted to opportunities.",
            {"action_type": "convert"},
            model_id=self.env["ir.model"]._get_id("res.partner"),
        )

    def test_notify_and_followers_without_recipients_are_refused(self):
        self.assert_refused(
            "choose the users or the group to notify.", {"action_type": "notify"}
        )
        self.assert_refused(
            "choose the followers to add.", {"action_type": "add_followers"}
        )

    def test_server_action_missing_or_of_another_model_is_refused(self):
        partner_action = self.env["ir.actions.server"].create(
            {
                "name": "Partner code (tests)",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "state": "code",
                "code": "pass",
            }
        )
        self.assert_refused(
            "choose the server action to run.", {"action_type": "server_action"}
        )
        self.assert_refused(
            "the server action “Partner code (tests)” is made for another kind",
            {"action_type": "server_action", "server_action_id": partner_action.id},
        )

    def test_scheduled_action_with_bad_delay_is_refused(self):
        later = dict(self.set_priority("2"), timing="scheduled")
        self.assert_refused(
            "a delay after the trigger cannot be negative.",
            dict(later, delay_amount=-2),
        )
        self.assert_refused(
            "choose the date field the delay counts from.",
            dict(later, delay_anchor="date_field"),
        )
        self.assert_refused(
            "the time of day must be between 0:00 and 23:59.",
            dict(later, delay_at_time=True, delay_time_of_day=25),
        )


# What each built-in type answers (the types not named answer the default).
BUILT_IN_ANSWERS = {
    "_runs_on_deleted_records": {"function", "notify", "server_action", "webhook"},
    "_requires_job": {"webhook"},
    "_job_batchable": {"webhook", "request_info"},  # they answer False
    "_job_pinnable": {"webhook", "request_info"},  # they answer False
    "_effects_in_database": {
        "activity",
        "add_followers",
        "add_tags",
        "assign_owner",
        "convert",
        "email",
        "field_update",
        "notify",
        "remove_tags",
        "request_info",
        "set_stage",
        "sms",
    },
    "_completes_later": {"request_info"},
    "_replayable": {"webhook"},
}
CORE_TYPES = {
    "activity",
    "add_followers",
    "add_tags",
    "assign_owner",
    "convert",
    "email",
    "field_update",
    "function",
    "notify",
    "remove_tags",
    "request_info",
    "server_action",
    "set_stage",
    "webhook",
}


@tagged("post_install", "-at_install")
class TestTypeHooks(ActionCase):
    """A type is its methods ``_<hook>_<type>``: the core's hooks answer
    their default for a type that defines none, and the type's own answer
    when it does, without the type overriding the core."""

    @contextlib.contextmanager
    def further_type(self, **methods):
        """A type ``further`` added as a further module would: a key of
        ``action_type`` and, for each ``hook=function``, its method
        ``_<hook>_further`` (class-level patches, undone on exit)."""
        Action = self.env["crm.workflow.action"]
        field = Action._fields["action_type"]
        with contextlib.ExitStack() as stack:
            stack.enter_context(
                patch.object(
                    field, "selection", [*field.selection, ("further", "Further")]
                )
            )
            for hook, function in methods.items():
                stack.enter_context(
                    patch.object(
                        type(Action), f"_{hook}_further", function, create=True
                    )
                )
            yield Action.new(
                {
                    "action_type": "further",
                    "name": "Further action",
                    "model_id": self.env["ir.model"]._get_id("crm.lead"),
                }
            )

    def test_a_further_type_gets_every_hooks_default(self):
        lead = self.env["crm.lead"].create({"name": "Further lead (tests)"})
        with self.further_type() as action:
            self.assertFalse(action._runs_on_deleted_records())
            self.assertFalse(action._requires_job())
            self.assertFalse(action._plans_only())
            self.assertTrue(action._job_batchable())
            self.assertTrue(action._job_pinnable())
            self.assertFalse(action._effects_in_database())
            self.assertFalse(action._completes_later())
            self.assertFalse(action._replayable())
            self.assertEqual(action._prepare_job_payloads(lead, None), {})
            self.assertEqual(action._fields_written(), set())
            self.assertEqual(action._test(lead, None), action._test_description())
            self.assertEqual(action._run_note(lead, None), "Further action")
            self.assertIsNone(action._type_hook("run_note"))
            action._check_configuration()  # no check of its own
            with self.assertRaisesRegex(UserError, "cannot be run"):
                action._execute(lead, None)

    def test_a_further_type_answers_each_hook_with_its_own_method(self):
        lead = self.env["crm.lead"].create({"name": "Further lead (tests)"})
        ran = []

        def refuse(action):
            action._raise_config("the further check refuses it.")

        with self.further_type(
            runs_on_deleted_records=lambda action: True,
            requires_job=lambda action: True,
            job_batchable=lambda action: False,
            effects_in_database=lambda action: True,
            completes_later=lambda action: True,
            replayable=lambda action: True,
            prepare_job_payloads=lambda action, records, run: {
                rid: {"further": True} for rid in records.ids
            },
            fields_written=lambda action: ["priority"],
            test=lambda action, records, run: "Would do something further",
            run_note=lambda action, records, run: "further note",
            check=refuse,
            run=lambda action, records, run: ran.append(records),
        ) as action:
            self.assertTrue(action._runs_on_deleted_records())
            self.assertTrue(action._requires_job())
            self.assertTrue(action._plans_only())
            self.assertFalse(action._job_batchable())
            self.assertTrue(action._effects_in_database())
            self.assertTrue(action._completes_later())
            self.assertTrue(action._replayable())
            self.assertEqual(
                action._prepare_job_payloads(lead, None), {lead.id: {"further": True}}
            )
            self.assertEqual(action._fields_written(), {"priority"})
            self.assertEqual(action._test(lead, None), "Would do something further")
            self.assertEqual(action._run_note(lead, None), "further note")
            with self.assertRaisesRegex(ValidationError, "the further check refuses"):
                action._check_configuration()
            action._execute(lead, None)
            self.assertEqual(ran, [lead])

    def test_built_in_types_answer_the_hooks_as_before(self):
        Action = self.env["crm.workflow.action"]
        types = set(Action._fields["action_type"].get_values(self.env))
        self.assertLessEqual(CORE_TYPES, types)
        for key in sorted(types & (CORE_TYPES | {"sms"})):
            action = Action.new({"action_type": key})
            for hook, answering in BUILT_IN_ANSWERS.items():
                default = hook in ("_job_batchable", "_job_pinnable")
                with self.subTest(type=key, hook=hook):
                    self.assertEqual(
                        getattr(action, hook)(),
                        default != (key in answering),
                    )
