# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Code and webhook actions: server actions and functions run as the user, data
shared between steps; webhooks queued after the commit. Run as the
salesperson who creates or edits a lead; the effect is read back from the
database."""

import logging
from unittest.mock import patch

import requests

from odoo import Command, fields
from odoo.tests import tagged

from .common import ActionCase

FUNCTION_LOGGER = "odoo.addons.crm_workflow_automation.models.crm_workflow_function"


@tagged("post_install", "-at_install")
class TestCodeActions(ActionCase):
    """Server actions and functions run with the rights of the user who
    triggered the rule."""

    def test_server_action_runs_as_the_salesman(self):
        server_action = self.env["ir.actions.server"].create(
            {
                "name": "Stamp the lead (tests)",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "state": "code",
                "code": "records.write({'referred': 'stamped by ' + env.user.login})",
            }
        )
        rule = self.make_rule(
            trigger="on_create",
            actions=[
                {"action_type": "server_action", "server_action_id": server_action.id}
            ],
        )
        leads = self.Lead.with_user(self.salesman).create(
            [{"name": name, "team_id": self.team.id} for name in ("One", "Two")]
        )
        self.assertEqual(
            self.read_back(leads).mapped("referred"), ["stamped by cwa_salesman"] * 2
        )
        self.assert_ran(rule, leads)

    def test_function_shares_data_between_steps_and_logs(self):
        first = self.function_action(
            "log('stamping %s lead(s)' % len(records))\nresult = {'by': env.user.name}",
            sequence=1,
        )
        second = self.function_action(
            "for rec in records:\n"
            "    rec.write({'referred': rec.name + ' via ' + data['by']})",
            sequence=2,
        )
        rule = self.rule_as(self.developer, [first, second], name="Stamp")
        # logging.INFO: Odoo renames level 25 "INFO", so the string would miss it
        with self.assertLogs(FUNCTION_LOGGER, logging.INFO) as logs:
            lead = self.new_lead("Fn lead")
        self.assertEqual(self.read_back(lead).referred, "Fn lead via Sam Salesman")
        self.assertIn("stamping 1 lead(s)", "\n".join(logs.output))
        self.assert_ran(rule, lead)
        calls = (
            self.env["crm.workflow.run"]
            .sudo()
            .search(
                [("function_id", "!=", False), ("res_id", "=", lead.id)], order="id"
            )
        )
        self.assertEqual(calls.mapped("caller"), ["rule", "rule"])
        self.assertEqual(calls.action_id.rule_id, rule)
        self.assertEqual(calls.user_id, self.salesman)

    def test_function_error_is_logged_and_lead_kept(self):
        rule = self.rule_as(
            self.developer,
            [self.function_action("raise UserError('No deals on Sundays')")],
        )
        lead = self.read_back(self.new_lead("Sunday deal"))
        self.assertTrue(lead.exists())
        failed = self.assert_ran(rule, lead, state="failed")
        self.assertIn("No deals on Sundays", failed.error)
        call = (
            self.env["crm.workflow.run"]
            .sudo()
            .search([("function_id", "!=", False), ("res_id", "=", lead.id)])
        )
        self.assertEqual(call.state, "failed", "the failed call stays in the log")


@tagged("post_install", "-at_install")
class TestWebhookAction(ActionCase):
    def test_webhook_is_queued_not_sent_inside_the_transaction(self):
        self.env["ir.config_parameter"].set_param(
            "crm_workflow_automation.webhook_allowed_hosts", "127.0.0.1"
        )
        rule = self.make_rule(
            name="Push to ERP",
            trigger="on_create",
            actions=[
                {
                    "action_type": "webhook",
                    "name": "ERP hook",
                    "webhook_url": "http://127.0.0.1:9/hooks/leads",
                    "webhook_field_ids": [
                        Command.set(
                            [
                                self.field("name").id,
                                self.field("email_from").id,
                                self.field("expected_revenue").id,
                            ]
                        )
                    ],
                }
            ],
        )
        action = rule.action_ids
        no_send = AssertionError("HTTP sent inside the user's transaction")
        with (
            self.trap_jobs() as trap,
            patch.object(requests.Session, "send", side_effect=no_send) as send,
        ):
            lead = self.new_lead(
                "Hooked", email_from="hook@example.com", expected_revenue=5000
            )
        send.assert_not_called()
        job = trap.assert_enqueued(count=1, action=action, records=lead)
        self.assertEqual(job.state, "pending")
        self.assertEqual(job.attempts, 0)
        self.assertFalse(job.attempt_ids)
        self.assertLessEqual(job.eta, fields.Datetime.now())
        self.assertEqual(job.user_id, self.salesman)
        payload = job.payload
        self.assertEqual(
            payload["data"],
            {
                "name": "Hooked",
                "email_from": "hook@example.com",
                "expected_revenue": 5000.0,
            },
        )
        self.assertEqual(payload["model"], "crm.lead")
        self.assertEqual(payload["id"], lead.id)
        self.assertEqual(payload["rule"], "Push to ERP")
        self.assertEqual(payload["action"], "ERP hook")
        self.assertEqual(payload["trigger"], "create")
        self.assert_ran(rule, lead)
