# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Over real HTTP and in a real headless Chromium: they need Odoo's HTTP
server, so they run under ``make test-odoo`` (Odoo's runner) and are skipped
by pytest-odoo, which starts none."""

import json
import unittest

import odoo
from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


class ServerCase(HttpCase):
    @classmethod
    def setUpClass(cls):
        if odoo.service.server.server is None:
            raise unittest.SkipTest("needs Odoo's HTTP server: make test-odoo")
        super().setUpClass()
        cls.team = cls.env["crm.team"].create({"name": "Tour pipeline"})
        cls.manager = new_test_user(
            cls.env,
            login="cwa_tour_manager",
            name="Tour Manager",
            groups="sales_team.group_sale_manager",
        )
        cls.team.member_ids = [Command.link(cls.manager.id)]
        Stage = cls.env["crm.stage"]
        cls.s1 = Stage.create(
            {"name": "Tour New", "sequence": 201, "team_id": cls.team.id}
        )
        cls.s2 = Stage.create(
            {"name": "Tour Documents", "sequence": 202, "team_id": cls.team.id}
        )


@tagged("post_install", "-at_install")
class TestAutomationBoardTour(ServerCase):
    def test_board_opens_from_the_pipeline_and_a_robot_is_added(self):
        Trigger = self.env["crm.workflow.trigger"]
        first, second = (
            Trigger.create(
                {
                    "name": name,
                    "stage_id": self.s1.id,
                    "team_id": self.team.id,
                    "trigger_type": kind,
                    "sequence": sequence,
                }
            )
            for name, kind, sequence in (
                ("Tour First", "won", 1),
                ("Tour Second", "lost", 2),
            )
        )
        self.start_tour(
            "/odoo", "crm_workflow_automation_board", login=self.manager.login
        )
        self.assertEqual(
            Trigger.search([("stage_id", "=", self.s1.id)]).mapped("name"),
            ["Tour Second", "Tour First"],
        )
        robot = self.env["crm.workflow.robot"].search([("stage_id", "=", self.s2.id)])
        self.assertEqual(robot.action_type, "activity")
        self.assertEqual(
            robot.activity_type_id, self.env.ref("mail.mail_activity_data_todo")
        )


@tagged("post_install", "-at_install")
class TestWebhookTriggerOverHttp(ServerCase):
    def setUp(self):
        super().setUp()
        self.trigger = self.env["crm.workflow.trigger"].create(
            {
                "name": "Payment received",
                "stage_id": self.s2.id,
                "trigger_type": "webhook",
                "webhook_rate_limit": 2,
            }
        )
        self.lead = self.env["crm.lead"].create(
            {"name": "Sofa", "team_id": self.team.id, "stage_id": self.s1.id}
        )

    def post(self, body, token=None, headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body)
        return self.url_open(
            f"/crm_workflow/trigger/{token or self.trigger.webhook_token}",
            data=data,
            headers={"Content-Type": "application/json", **(headers or {})},
        )

    def assertJson(self, response, status, code):
        self.assertEqual(response.status_code, status, response.text)
        self.assertIn("application/json", response.headers["Content-Type"])
        self.assertEqual(response.json()["status"], code)

    def test_payment_received_moves_the_order(self):
        self.assertJson(self.post({"id": self.lead.id}), 200, "moved")
        self.env.invalidate_all()
        self.assertEqual(self.lead.stage_id, self.s2)

    def test_queued_call_is_answered_202_and_moved_by_the_runner(self):
        self.trigger.webhook_queued = True
        key = {"Idempotency-Key": "evt_http_1"}
        answer = self.post({"id": self.lead.id}, headers=key)
        self.assertJson(answer, 202, "queued")
        self.assertJson(self.post({"id": self.lead.id}, headers=key), 202, "duplicate")
        self.env.invalidate_all()
        self.assertEqual(self.lead.stage_id, self.s1)
        self.env["crm.workflow.job"].sudo()._run_due_jobs(automatic=False)
        self.env.invalidate_all()
        self.assertEqual(self.lead.stage_id, self.s2)

    def test_errors_are_json_never_html(self):
        self.assertJson(
            self.post({"id": self.lead.id}, token="bad"), 404, "unknown_trigger"
        )
        self.assertJson(self.post({"id": 10**9}), 404, "unknown_record")
        self.assertJson(self.post(b"{oops"), 422, "bad_json")
        self.assertJson(self.post({"id": self.lead.id}), 429, "rate_limited")

    def test_ambiguous_and_unknown_email_answer_422_and_404(self):
        self.trigger.webhook_rate_limit = 10
        for name in ("Sofa again", "Sofa twice"):
            self.env["crm.lead"].create(
                {
                    "name": name,
                    "team_id": self.team.id,
                    "email_from": "twice@example.com",
                }
            )
        self.assertJson(self.post({"email": "twice@example.com"}), 422, "ambiguous")
        self.assertJson(
            self.post({"email": "nobody@example.com"}), 404, "unknown_record"
        )
        self.assertJson(self.post(b"[1, 2]"), 422, "bad_json")

    def test_no_backward_move(self):
        self.lead.stage_id = self.s2
        later = self.env["crm.stage"].create(
            {"name": "Tour Later", "sequence": 203, "team_id": self.team.id}
        )
        self.lead.stage_id = later
        self.assertJson(self.post({"id": self.lead.id}), 200, "unchanged")
        self.env.invalidate_all()
        self.assertEqual(self.lead.stage_id, later)
