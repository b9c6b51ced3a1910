# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Export as a module and import it back: what the zip holds, that it is
the same bytes twice, that no secret leaves, and that the imported rules,
robots, triggers and functions run as the exported ones did."""

import ast
import base64
import io
import json
import zipfile

from lxml import etree

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from ..runtime.module_zip import write_zip
from .common import ALLOWED_HOSTS, StageCase

SECRET = "s3cret-signing-key-4711"
TOKEN = "Bearer header-token-0815"
MODULE = "cwa_export_tests"


class ExportCase(StageCase):
    """A rule with conditions, an email, a tags, a scheduled and a function
    action; a webhook rule with a secret; a robot and a stage trigger;
    a function with an argument."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(ALLOWED_HOSTS, "127.0.0.1")
        cls.tag = cls.env["crm.tag"].create({"name": "VIP (export tests)"})
        cls.function = cls.env["crm.workflow.function"].create(
            {
                "name": "Note the size (export tests)",
                "api_name": "export_tests_note_size",
                "model_id": cls.env["ir.model"]._get_id("crm.lead"),
                "code": "records.write({'description': args['size']})\n",
                "argument_ids": [
                    Command.create(
                        {"name": "size", "arg_type": "char", "required": True}
                    )
                ],
            }
        )
        cls.rule = cls.make_rule(
            name="Big order (export tests)",
            trigger="on_create",
            user_id=cls.sales_manager.id,
            conditions=[
                {
                    "name": "Big",
                    "domain": "[('expected_revenue', '>', 1000)]",
                    "actions": [
                        {
                            "action_type": "email",
                            "mail_template_id": cls.template.id,
                            "email_recipients": "customer",
                        },
                        {
                            "action_type": "add_tags",
                            "tag_ids": [Command.set(cls.tag.ids)],
                        },
                        {
                            "action_type": "function",
                            "function_id": cls.function.id,
                            "function_argument_ids": [
                                Command.create(
                                    {
                                        "argument_id": cls.function.argument_ids.id,
                                        "value": "big",
                                    }
                                )
                            ],
                        },
                        cls.set_priority("2")
                        | {
                            "timing": "scheduled",
                            "delay_amount": 2,
                            "delay_unit": "days",
                        },
                    ],
                },
                {"name": "Other", "is_fallback": True, "actions": []},
            ],
        )
        cls.webhook_rule = cls.make_rule(
            name="Tell the ERP (export tests)",
            trigger="on_create",
            actions=[
                {
                    "action_type": "webhook",
                    "name": "Push",
                    "webhook_url": "http://127.0.0.1:9/hook",
                    "webhook_secret": SECRET,
                    "webhook_headers": json.dumps({"Authorization": TOKEN}),
                }
            ],
        )
        cls.robot_task = cls.Robot.create(
            {
                "stage_id": cls.s2.id,
                "team_id": cls.team.id,
                "action_type": "activity",
                "activity_type_id": cls.todo.id,
                "activity_summary": "Collect the documents (export tests)",
                "user_id": cls.sales_manager.id,
            }
        )
        cls.stage_trigger = cls.Trigger.create(
            {
                "name": "Paid (export tests)",
                "stage_id": cls.s3.id,
                "trigger_type": "field_match",
                "domain": "[('expected_revenue', '>=', 99999)]",
            }
        )

    def export(self, name=MODULE, **selection):
        selection = selection or {
            "rule_ids": self.rule | self.webhook_rule,
            "robot_ids": self.robot_task,
            "trigger_ids": self.stage_trigger,
        }
        wizard = (
            self.env["crm.workflow.export"]
            .with_user(self.sales_manager)
            .create(
                {
                    "module_name": name,
                    "module_title": "Export tests",
                    **{
                        key: [Command.set(records.ids)]
                        for key, records in selection.items()
                    },
                }
            )
        )
        wizard.action_export()
        return wizard

    def files(self, wizard):
        archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(wizard.file)))
        return {name: archive.read(name) for name in archive.namelist()}

    def import_zip(self, content, user=None):
        """Imported by a Workflow Developer: the export has a function's
        code, which only developers may write."""
        wizard = (
            self.env["crm.workflow.import"]
            .with_user(user or self.developer)
            .create({"file": base64.b64encode(content)})
        )
        wizard.action_import()
        return wizard

    def records_of(self, files):
        """{model: [record ids]} of the data files."""
        found = {}
        for name, content in files.items():
            if name.endswith(".xml"):
                for record in etree.fromstring(content).iter("record"):
                    found.setdefault(record.get("model"), []).append(record.get("id"))
        return found


@tagged("post_install", "-at_install")
class TestExport(ExportCase):
    def test_export_is_an_add_on_with_manifest_and_data_files(self):
        wizard = self.export()
        self.assertEqual(wizard.filename, f"{MODULE}.zip")
        files = self.files(wizard)
        self.assertTrue(all(name.startswith(f"{MODULE}/") for name in files))
        manifest = ast.literal_eval(files[f"{MODULE}/__manifest__.py"].decode())
        self.assertEqual(manifest["name"], "Export tests")
        self.assertIn("crm_workflow_automation", manifest["depends"])
        self.assertEqual(files[f"{MODULE}/__init__.py"], b"")
        for path in manifest["data"]:
            self.assertIn(f"{MODULE}/{path}", files, "every data file is in the zip")
        records = self.records_of(files)
        # what the selection needs comes with it, in the files before it
        self.assertEqual(len(records["mail.template"]), 1)
        self.assertEqual(len(records["crm.tag"]), 1)
        self.assertEqual(len(records["crm.workflow.function"]), 1)
        self.assertEqual(len(records["crm.workflow.rule"]), 2)
        self.assertEqual(len(records["crm.workflow.robot"]), 1)
        self.assertEqual(len(records["crm.workflow.trigger"]), 1)
        order = manifest["data"]
        self.assertLess(
            order.index("data/mail_template.xml"),
            order.index("data/crm_workflow_rule.xml"),
        )
        self.assertLess(
            order.index("data/crm_workflow_function.xml"),
            order.index("data/crm_workflow_rule.xml"),
        )
        rules = files[f"{MODULE}/data/crm_workflow_rule.xml"].decode()
        # a stage of the test pipeline has no external id: found by name
        robots = files[f"{MODULE}/data/crm_workflow_robot.xml"].decode()
        self.assertIn(
            "search=\"[('name', '=', 'P Documents'), ('team_id.name', '=',", robots
        )
        self.assertIn('ref="mail.mail_activity_data_todo"', robots)
        self.assertIn("[('expected_revenue', '&gt;', 1000)]", rules)
        self.assertIn("search=\"[('login', '=', 'cwa_sales_manager')]\"", rules)
        # the ids are kept for the next export
        self.assertTrue(
            self.env["ir.model.data"].search(
                [("model", "=", "crm.workflow.rule"), ("res_id", "=", self.rule.id)]
            )
        )

    def test_depends_name_the_add_ons_of_the_types_used(self):
        sms = self.env["ir.module.module"].search(
            [("name", "=", "crm_workflow_automation_sms"), ("state", "=", "installed")]
        )
        if not sms:
            self.skipTest("crm_workflow_automation_sms is not installed")
        sms_rule = self.make_rule(
            name="Text the customer (export tests)",
            trigger="on_create",
            actions=[{"action_type": "sms", "sms_mode": "text", "sms_body": "Hello"}],
        )
        files = self.files(self.export(rule_ids=sms_rule))
        manifest = ast.literal_eval(files[f"{MODULE}/__manifest__.py"].decode())
        self.assertIn("crm_workflow_automation_sms", manifest["depends"])
        files = self.files(self.export())
        manifest = ast.literal_eval(files[f"{MODULE}/__manifest__.py"].decode())
        self.assertNotIn("crm_workflow_automation_sms", manifest["depends"])

    def test_second_export_of_the_same_selection_is_byte_identical(self):
        first = base64.b64decode(self.export().file)
        second = base64.b64decode(self.export().file)
        first_files = zipfile.ZipFile(io.BytesIO(first))
        second_files = zipfile.ZipFile(io.BytesIO(second))
        self.assertEqual(first_files.namelist(), second_files.namelist())
        for name in first_files.namelist():
            self.assertEqual(
                first_files.read(name).decode(), second_files.read(name).decode(), name
            )
        self.assertEqual(first, second)
        entry = zipfile.ZipFile(io.BytesIO(first)).infolist()[0]
        self.assertEqual(entry.date_time, (1980, 1, 1, 0, 0, 0))

    def test_secrets_are_never_exported_and_listed_to_fill_in(self):
        wizard = self.export()
        for name, content in self.files(wizard).items():
            self.assertNotIn(SECRET.encode(), content, name)
            self.assertNotIn(TOKEN.encode(), content, name)
            self.assertNotIn(b"webhook_secret", content, name)
            self.assertNotIn(b"webhook_headers", content, name)
        self.assertIn("Tell the ERP (export tests)", wizard.to_fill_in)
        self.assertIn("Secret", wizard.to_fill_in)
        self.assertIn("Extra headers", wizard.to_fill_in)
        readme = self.files(wizard)[f"{MODULE}/README.md"].decode()
        self.assertIn("Secret", readme)
        # a trigger that is no webhook has no token to fill in
        self.assertNotIn("Paid (export tests)", wizard.to_fill_in)

    def test_module_name_must_be_a_technical_name(self):
        for bad in ("My rules", "9rules", "rules-x", "crm"):
            with self.assertRaises(ValidationError, msg=bad):
                self.env["crm.workflow.export"].create(
                    {"module_name": bad, "rule_ids": [Command.set(self.rule.ids)]}
                )

    def test_export_from_the_action_menu_takes_the_selected_records(self):
        wizard = (
            self.env["crm.workflow.export"]
            .with_context(active_model="crm.workflow.rule", active_ids=self.rule.ids)
            .create({})
        )
        self.assertEqual(wizard.rule_ids, self.rule)
        self.assertEqual(wizard.module_name, "crm_workflow_automation_export")


@tagged("post_install", "-at_install")
class TestImport(ExportCase):
    def delete_exported(self):
        self.robot_task.unlink()
        self.stage_trigger.unlink()
        (self.rule | self.webhook_rule).unlink()
        self.function.unlink()
        self.template.unlink()
        self.tag.unlink()

    def test_round_trip_reproduces_the_rules_and_they_run_the_same_way(self):
        content = base64.b64decode(self.export().file)
        self.delete_exported()
        wizard = self.import_zip(content)
        self.assertEqual(wizard.module_name, MODULE)
        self.assertIn("Tell the ERP (export tests)", wizard.to_fill_in)
        self.assertIn("Secret", wizard.to_fill_in)

        Rule = self.env["crm.workflow.rule"]
        rule = Rule.search([("name", "=", "Big order (export tests)")])
        self.assertEqual(len(rule), 1)
        self.assertEqual(rule.trigger, "on_create")
        self.assertEqual(rule.user_id, self.sales_manager)
        big, other = rule.condition_ids
        self.assertEqual(big.domain, "[('expected_revenue', '>', 1000)]")
        self.assertTrue(other.is_fallback)
        email, tags, call, later = big.action_ids
        self.assertEqual(
            [email.action_type, tags.action_type, call.action_type],
            ["email", "add_tags", "function"],
        )
        self.assertEqual(email.mail_template_id.subject, "Order {{ object.name }}")
        self.assertEqual(tags.tag_ids.name, "VIP (export tests)")
        self.assertEqual(call.function_id.api_name, "export_tests_note_size")
        self.assertEqual(call.function_argument_ids.value, "big")
        self.assertEqual(
            call.function_argument_ids.argument_id, call.function_id.argument_ids
        )
        self.assertEqual(
            (later.timing, later.delay_amount, later.delay_unit),
            ("scheduled", 2, "days"),
        )
        self.assertEqual(later.update_selection_value.value, "2")
        webhook = Rule.search([("name", "=", "Tell the ERP (export tests)")]).action_ids
        self.assertEqual(webhook.webhook_url, "http://127.0.0.1:9/hook")
        self.assertFalse(webhook.sudo().webhook_secret, "to fill in")
        self.assertFalse(webhook.sudo().webhook_headers, "to fill in")
        webhook.rule_id.active = False  # no receiver in this test

        # the imported rule runs as the exported one did
        with self.trap_jobs() as trap:
            lead = self.new_lead(
                "Big order", expected_revenue=5000, email_from="carla@example.com"
            )
            trap.assert_enqueued(count=1, rule=rule)
        self.env.invalidate_all()
        mail = self.env["mail.mail"].search(
            [("model", "=", "crm.lead"), ("res_id", "=", lead.id)]
        )
        self.assertEqual(mail.subject, "Order Big order", "the email is queued")
        self.assertEqual(lead.tag_ids.name, "VIP (export tests)")
        self.assertIn("big", lead.description, "the function ran")

        robot = self.env["crm.workflow.robot"].search(
            [("activity_summary", "=", "Collect the documents (export tests)")]
        )
        self.assertEqual(robot.stage_id, self.s2)
        self.assertEqual(robot.team_id, self.team)
        self.move(lead, self.s2)
        self.assertEqual(
            lead.activity_ids.mapped("summary"),
            ["Collect the documents (export tests)"],
        )
        trigger = self.env["crm.workflow.trigger"].search(
            [("name", "=", "Paid (export tests)")]
        )
        self.assertEqual(trigger.stage_id, self.s3)
        lead.with_user(self.salesman).write({"expected_revenue": 100000})
        self.assertEqual(lead.stage_id, self.s3, "the trigger moved it")

    def test_second_import_updates_instead_of_duplicating(self):
        content = base64.b64decode(self.export().file)
        self.delete_exported()
        self.import_zip(content)
        rule = self.env["crm.workflow.rule"].search(
            [("name", "=", "Big order (export tests)")]
        )
        actions = rule.condition_ids.action_ids
        later = actions.filtered(lambda a: a.timing == "scheduled")
        later.delay_amount = 5
        self.import_zip(content)
        rule.invalidate_recordset()
        self.assertEqual(
            self.env["crm.workflow.rule"].search_count(
                [("name", "=", "Big order (export tests)")]
            ),
            1,
        )
        self.assertEqual(rule.condition_ids.action_ids, actions, "updated in place")
        self.assertEqual(later.delay_amount, 2, "as the module says")
        # the re-export of the imported records names them as before
        again = self.export(
            rule_ids=rule,
        )
        self.assertIn(f"{MODULE}/data/crm_workflow_rule.xml", self.files(again))

    def test_failed_import_leaves_nothing(self):
        files = {
            path.split("/", 1)[1]: content
            for path, content in self.files(self.export()).items()
        }
        self.delete_exported()
        rule_file = files["data/crm_workflow_rule.xml"].decode()
        # the last record refers to a record that does not exist
        files["data/crm_workflow_rule.xml"] = rule_file.replace(
            "</odoo>",
            '<record id="broken" model="crm.workflow.rule">'
            '<field name="name">Broken</field>'
            '<field name="user_id" ref="base.no_such_user"/></record></odoo>',
        )
        with self.assertRaises(UserError):
            self.import_zip(write_zip(MODULE, files))
        self.assertFalse(
            self.env["crm.workflow.rule"].search(
                [("name", "=", "Big order (export tests)")]
            )
        )
        self.assertFalse(
            self.env["mail.template"].search([("name", "=", "Order received (tests)")])
        )

    def test_manager_without_code_right_imports_nothing(self):
        """The import runs as its user: a Workflow Manager who may not write
        code cannot bring a function's code in through a zip."""
        content = base64.b64decode(self.export().file)
        self.delete_exported()
        with self.assertRaises(UserError):
            self.import_zip(content, user=self.sales_manager)
        self.assertFalse(
            self.env["crm.workflow.function"].search(
                [("api_name", "=", "export_tests_note_size")]
            )
        )
        self.assertFalse(
            self.env["crm.workflow.rule"].search(
                [("name", "=", "Big order (export tests)")]
            )
        )

    def test_import_names_the_stages_and_users_to_create_first(self):
        content = base64.b64decode(self.export().file)
        self.delete_exported()
        self.s2.name = "P Documents (renamed)"
        with self.assertRaisesRegex(UserError, "P Documents, Direct Sales"):
            self.import_zip(content)
        self.assertFalse(
            self.env["crm.workflow.rule"].search(
                [("name", "=", "Big order (export tests)")]
            )
        )

    def test_import_refuses_what_is_not_workflow_automation(self):
        manifest = repr(
            {
                "name": "x",
                "depends": ["crm_workflow_automation"],
                "data": ["data/x.xml"],
            }
        )
        users = (
            '<odoo><record id="evil" model="res.users">'
            '<field name="name">Evil</field><field name="login">evil</field>'
            "</record></odoo>"
        )
        functions = (
            '<odoo><function model="res.users" name="unlink" eval="[[2]]"/></odoo>'
        )
        escalate = (
            '<odoo><record id="x" model="crm.tag"><field name="name" '
            'model="res.users" eval="str(obj().sudo().search([]).write('
            "{'active': False}))\"/></record></odoo>"
        )
        context = (
            '<odoo><record id="x" model="crm.tag" context="{}">'
            '<field name="name">x</field></record></odoo>'
        )
        for data in (users, functions, escalate, context):
            content = write_zip(
                MODULE, {"__manifest__.py": manifest, "data/x.xml": data}
            )
            with self.assertRaises(UserError):
                self.import_zip(content)
        self.assertFalse(self.env["res.users"].search([("login", "=", "evil")]))
        for content in (b"not a zip", write_zip(MODULE, {"README.md": "no manifest"})):
            with self.assertRaises(UserError):
                self.import_zip(content)
        missing = write_zip(
            MODULE,
            {
                "__manifest__.py": repr(
                    {
                        "depends": ["crm_workflow_automation", "no_such_module"],
                        "data": [],
                    }
                )
            },
        )
        with self.assertRaisesRegex(UserError, "no_such_module"):
            self.import_zip(missing)
