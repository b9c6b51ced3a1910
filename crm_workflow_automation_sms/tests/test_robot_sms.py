# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""SMS robots: the furniture demo texts the customer, and an SMS template
reads what an earlier robot of the stage entry produced."""

import unittest

from odoo.tests import TransactionCase, tagged

from odoo.addons.crm_workflow_automation.tests.test_robots import StageCase


@tagged("post_install", "-at_install")
class TestSmsRobot(StageCase):
    def test_sms_template_reads_the_data_of_an_earlier_robot(self):
        template = self.env["sms.template"].create(
            {
                "name": "Offer number (tests)",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "body": "Your offer {{ data.get('offer_no') }} is ready.",
            }
        )
        self.robot(
            self.s2,
            user=self.developer,
            sequence=1,
            **self.function_action("result = {'offer_no': 'OF-%s' % records.id}"),
        )
        self.robot(
            self.s2,
            sequence=2,
            execution_mode="after_previous",
            action_type="sms",
            sms_template_id=template.id,
        )
        lead = self.new_lead(mobile="+32 470 12 34 56")
        SMS = self.env["sms.sms"].sudo()
        before = SMS.search([], order="id desc", limit=1).id or 0
        self.move(lead, self.s2)
        sms = SMS.search([("id", ">", before)])
        self.assertEqual(sms.body, f"Your offer OF-{lead.id} is ready.")


@tagged("post_install", "-at_install")
class TestFurnitureDemoSms(TransactionCase):
    def test_new_request_robot_texts_the_customer_and_its_run_is_logged(self):
        robot = self.env.ref(
            "crm_workflow_automation.crm_workflow_robot_furniture_call_demo",
            raise_if_not_found=False,
        )
        order = self.env.ref(
            "crm_workflow_automation_sms.crm_lead_furniture_wardrobe_demo",
            raise_if_not_found=False,
        )
        if not robot or not order:
            raise unittest.SkipTest("installed without demo data")
        self.assertEqual(robot.action_type, "sms")
        self.assertTrue(robot.sms_template_id)
        runs = self.env["crm.workflow.run"].search(
            [("robot_id", "=", robot.id), ("res_id", "=", order.id)]
        )
        self.assertEqual(runs.mapped("state"), ["done"])
        note = order.message_ids.filtered(lambda m: m.message_type == "sms")
        self.assertIn("Wardrobe with sliding doors", note[:1].body or "")
