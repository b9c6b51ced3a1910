# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Browser tours (Chromium): what a sales admin does in the web client."""

from odoo.service import server
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestNewRuleTour(HttpCase):
    def setUp(self):
        super().setUp()
        if server.server is None:
            # pytest-odoo starts no HTTP server; make test-odoo runs the tour
            self.skipTest("the browser tour needs Odoo's HTTP server")

    def test_a_rule_created_in_one_go_in_the_browser_acts_on_a_new_lead(self):
        """New rule → trigger, a condition with criteria, a Field Update
        (Field to update offers "Priority" before anything is saved) and a
        Task → Save; then a lead that meets the criteria gets both effects."""
        self.env["crm.workflow.rule"].with_context(active_test=False).search([]).write(
            {"active": False}
        )
        new_test_user(
            self.env,
            login="cwa_tour_admin",
            name="Tour Sales Admin",
            groups="sales_team.group_sale_manager",
        )
        salesman = new_test_user(
            self.env, login="cwa_tour_salesman", groups="sales_team.group_sale_salesman"
        )
        self.start_tour(
            "/odoo/action-crm_workflow_automation.crm_workflow_rule_action?debug=1",
            "crm_workflow_automation_new_rule",
            login="cwa_tour_admin",
        )
        rule = self.env["crm.workflow.rule"].search(
            [("name", "=", "Hot leads from the tour")]
        )
        self.assertEqual(len(rule), 1)
        self.assertEqual(
            sorted(rule.action_ids.mapped("action_type")), ["activity", "field_update"]
        )
        Lead = self.env["crm.lead"].with_user(salesman)
        hot = Lead.create({"name": "Hot (tour)", "probability": 60})
        cold = Lead.create({"name": "Cold (tour)", "probability": 10})
        self.assertEqual(hot.priority, "3")
        self.assertEqual(hot.activity_ids.summary, "Call the hot lead")
        self.assertEqual(cold.priority, "0")
        self.assertFalse(cold.activity_ids)
