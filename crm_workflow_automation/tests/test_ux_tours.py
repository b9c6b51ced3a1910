# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Browser tours (headless Chromium) of a new user's first steps: a Big Deal
Alert made in the rule form fires on a lead, "Why did it (not) fire?" on a
lead, a function's Test button, a meeting booked from an opportunity
confirmed in its chatter. Skipped under pytest-odoo (no HTTP server):
``make test-odoo`` runs them."""

import unittest

import odoo
from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


class TourCase(HttpCase):
    @classmethod
    def setUpClass(cls):
        if odoo.service.server.server is None:
            raise unittest.SkipTest("needs Odoo's HTTP server: make test-odoo")
        super().setUpClass()
        cls.env["crm.workflow.rule"].with_context(active_test=False).search([]).write(
            {"active": False}
        )
        cls.admin = new_test_user(
            cls.env,
            login="cwa_ux_admin",
            name="Tour Big Deal Manager",
            groups="sales_team.group_sale_manager",
        )


@tagged("post_install", "-at_install")
class TestBigDealAlertTour(TourCase):
    def test_big_deal_alert_made_in_the_form_fires_on_a_lead(self):
        self.start_tour(
            "/odoo/action-crm_workflow_automation.crm_workflow_rule_action?debug=1",
            "crm_workflow_automation_big_deal_alert",
            login=self.admin.login,
        )
        rule = self.env["crm.workflow.rule"].search(
            [("name", "=", "Tour Big Deal Alert")]
        )
        self.assertEqual(len(rule), 1)
        self.assertEqual(rule.action_ids.mapped("action_type"), ["notify"])
        self.assertEqual(rule.action_ids.user_ids, self.admin)
        lead = self.env["crm.lead"].create(
            {
                "name": "Need 20 Desks (tour)",
                "expected_revenue": 60000,
                "probability": 80,
            }
        )
        self.assertIn(
            "<p>Workflow rule “Tour Big Deal Alert” ran: Notify Users "
            "(1 user(s) notified)</p>",
            lead.message_ids.mapped("body"),
        )
        notified = (
            self.env["mail.message"]
            .search([("model", "=", "crm.lead"), ("res_id", "=", lead.id)])
            .filtered(lambda m: self.admin.partner_id in m.partner_ids)
        )
        self.assertTrue(notified, "the manager got the notification")


@tagged("post_install", "-at_install")
class TestExplainTour(TourCase):
    def test_why_did_it_not_fire_shows_the_verdict_on_the_lead(self):
        self.env["crm.workflow.rule"].create(
            {
                "name": "Tour explain rule",
                "trigger": "on_create_or_write",
                "condition_ids": [
                    (
                        0,
                        0,
                        {"name": "Big", "domain": "[('expected_revenue', '>', 1000)]"},
                    )
                ],
            }
        )
        lead = self.env["crm.lead"].create(
            {"name": "Small (tour)", "expected_revenue": 5}
        )
        self.start_tour(
            f"/odoo/crm/{lead.id}",
            "crm_workflow_automation_explain",
            login=self.admin.login,
        )


@tagged("post_install", "-at_install")
class TestFunctionTestTour(TourCase):
    def test_function_test_button_shows_the_result(self):
        function = self.env["crm.workflow.function"].create(
            {
                "name": "Tour answer",
                "api_name": "tour_answer",
                "code": "result = {'answer': 'tour-answer-42'}",
            }
        )
        self.start_tour(
            f"/odoo/action-crm_workflow_automation.crm_workflow_function_action/{function.id}",
            "crm_workflow_automation_function_test",
            login=self.admin.login,
        )


@tagged("post_install", "-at_install")
class TestMeetingTour(TourCase):
    def test_meeting_booked_from_the_opportunity_confirms_in_the_chatter(self):
        template = self.env["mail.template"].create(
            {
                "name": "Meeting confirmation (tour)",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "subject": "Your appointment: "
                "{{ object.workflow_meeting_id.name or object.name }}",
                "body_html": "<p>Your appointment "
                "<t t-out=\"object.workflow_meeting_id.name or ''\"/> is booked.</p>",
            }
        )
        rule = self.env["crm.workflow.rule"].create(
            {
                "name": "Meeting booked: confirm to the customer",
                "trigger": "on_meeting_booked",
                "condition_ids": [
                    Command.create(
                        {
                            "name": "All opportunities",
                            "domain": "[]",
                            "action_ids": [
                                Command.create(
                                    {
                                        "action_type": "email",
                                        "mail_template_id": template.id,
                                        "email_recipients": "customer",
                                    }
                                )
                            ],
                        }
                    )
                ],
            }
        )
        customer = self.env["res.partner"].create(
            {"name": "Tour Customer", "email": "tour.customer@example.com"}
        )
        lead = self.env["crm.lead"].create(
            {
                "name": "Office chairs (tour)",
                "type": "opportunity",
                "partner_id": customer.id,
                "user_id": self.admin.id,
            }
        )
        self.start_tour(
            f"/odoo/crm/{lead.id}",
            "crm_workflow_automation_meeting_booked",
            login=self.admin.login,
        )
        meeting = self.env["calendar.event"].search([("name", "=", "Tour site visit")])
        self.assertEqual(len(meeting), 1)
        self.assertEqual(meeting.opportunity_id, lead)
        message = self.env["mail.message"].search(
            [
                ("model", "=", "crm.lead"),
                ("res_id", "=", lead.id),
                ("subject", "=", "Your appointment: Tour site visit"),
            ]
        )
        self.assertEqual(len(message), 1, "the confirmation is on the opportunity")
        runs = self.env["crm.workflow.run"].search(
            [
                ("rule_id", "=", rule.id),
                ("res_model", "=", "crm.lead"),
                ("res_id", "=", lead.id),
            ]
        )
        self.assertEqual(runs.mapped("state"), ["done"])
