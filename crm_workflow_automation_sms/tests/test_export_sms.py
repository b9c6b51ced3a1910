# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Export as a module, from outside: a rule with an SMS action takes its
SMS template along and makes the module depend on this add-on."""

import ast
import base64
import io
import zipfile

from odoo import Command
from odoo.tests import tagged

from odoo.addons.crm_workflow_automation.tests.common import WorkflowCase


@tagged("post_install", "-at_install")
class TestExportSms(WorkflowCase):
    def test_sms_rule_exports_its_template_and_depends_on_the_sms_add_on(self):
        template = self.env["sms.template"].create(
            {
                "name": "Order ready (export tests)",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "body": "Hello {{ object.contact_name }}",
            }
        )
        rule = self.make_rule(
            name="Text the customer (export tests)",
            trigger="on_create",
            actions=[{"action_type": "sms", "sms_template_id": template.id}],
        )
        wizard = self.env["crm.workflow.export"].create(
            {"module_name": "sms_export_tests", "rule_ids": [Command.set(rule.ids)]}
        )
        wizard.action_export()
        archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(wizard.file)))
        manifest = ast.literal_eval(
            archive.read("sms_export_tests/__manifest__.py").decode()
        )
        self.assertIn("crm_workflow_automation_sms", manifest["depends"])
        self.assertIn("data/sms_template.xml", manifest["data"])
        templates = archive.read("sms_export_tests/data/sms_template.xml").decode()
        self.assertIn("Hello {{ object.contact_name }}", templates)
