# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a new user sees: criteria in words in the rule form, a note in the
record's chatter when a rule ran on it, and a demo that already has a
history."""

import unittest

from odoo import Command
from odoo.tests import TransactionCase, tagged

from .common import WorkflowCase


@tagged("post_install", "-at_install")
class TestCriteriaInWords(WorkflowCase):
    def words(self, domain, lang=None):
        rule = self.make_rule(domain=domain)
        condition = rule.condition_ids
        if lang:
            condition = condition.with_context(lang=lang)
        return condition.domain_text

    def test_criteria_read_as_the_domain_widget_shows_them(self):
        self.assertEqual(
            self.words("[('expected_revenue', '>', 50000), ('probability', '>', 70)]"),
            "Expected Revenue > 50000 and Probability > 70",
        )

    def test_or_relations_selections_and_booleans_are_in_words(self):
        self.assertEqual(
            self.words("['|', ('type', '=', 'lead'), ('stage_id.is_won', '=', True)]"),
            "Type = Lead or Stage > Is Won Stage? is set",
        )
        self.assertEqual(
            self.words(
                f"[('stage_id', 'in', [{self.stage_won.id}]), "
                "'|', ('name', 'ilike', 'desk'), ('user_id', '=', False)]"
            ),
            'Stage is in T Won and (Opportunity contains "desk" or '
            "Salesperson is not set)",
        )

    def test_empty_criteria_and_the_fallback_say_so(self):
        self.assertEqual(self.words("[]"), "All records")
        rule = self.make_rule(
            conditions=[{"domain": "[('probability', '>', 50)]"}, {"is_fallback": True}]
        )
        self.assertEqual(
            rule.condition_ids.mapped("domain_text"),
            ["Probability > 50", "All other records"],
        )


@tagged("post_install", "-at_install")
class TestRunNoteInChatter(WorkflowCase):
    def test_big_deal_alert_leaves_a_note_on_the_lead(self):
        rule = self.env.ref(
            "crm_workflow_automation.crm_workflow_rule_big_deal_demo",
            raise_if_not_found=False,
        )
        if rule is None:
            self.skipTest("needs the demo data")
        rule.active = True
        managers = self.env.ref("sales_team.group_sale_manager").users.filtered(
            "active"
        )
        lead = self.Lead.with_user(self.salesman).create(
            {
                "name": "Need 20 Desks (test)",
                "expected_revenue": 60000,
                "probability": 80,
            }
        )
        notes = lead.message_ids.filtered(lambda m: "Workflow rule" in (m.body or ""))
        self.assertEqual(len(notes), 1)
        self.assertEqual(
            notes.body,
            "<p>Workflow rule “Big Deal Alert” ran: Notify the sales managers "
            f"({len(managers)} user(s) notified); Email the team leader</p>",
        )
        small = self.Lead.create({"name": "Small", "expected_revenue": 100})
        self.assertFalse(
            small.message_ids.filtered(lambda m: "Workflow rule" in (m.body or ""))
        )

    def test_one_note_per_record_of_a_batch(self):
        self.make_rule(
            name="Hot",
            domain="[('probability', '>', 50)]",
            actions=[
                self.set_priority("3"),
                {
                    "action_type": "notify",
                    "name": "Tell the managers",
                    "notify_message": "<p>Hot lead.</p>",
                    "user_ids": [Command.set(self.sales_manager.ids)],
                },
            ],
        )
        leads = self.Lead.create(
            [{"name": f"Hot {i}", "probability": 60} for i in range(3)]
        )
        for lead in leads:
            bodies = lead.message_ids.mapped("body")
            self.assertEqual(
                [b for b in bodies if "Workflow rule" in b],
                [
                    "<p>Workflow rule “Hot” ran: Field Update; Tell the managers "
                    "(1 user(s) notified)</p>"
                ],
            )

    def test_no_note_on_a_batch_over_the_limit(self):
        from ..models import crm_workflow_engine_log

        rule = self.make_rule(
            name="Mass",
            domain="[('probability', '>', 50)]",
            actions=[
                {
                    "action_type": "notify",
                    "name": "Tell the managers",
                    "notify_message": "<p>Hot lead.</p>",
                    "user_ids": [Command.set(self.sales_manager.ids)],
                },
            ],
        )
        count = crm_workflow_engine_log.NOTE_BATCH_LIMIT + 1
        leads = self.Lead.create(
            [{"name": f"Mass {i}", "probability": 60} for i in range(count)]
        )
        self.assertEqual(len(self.runs(rule, leads)), count)
        notes = self.env["mail.message"].search_count(
            [
                ("model", "=", "crm.lead"),
                ("res_id", "in", leads.ids),
                ("body", "ilike", "Workflow rule"),
            ]
        )
        self.assertEqual(notes, 0)

    def test_no_note_when_every_effect_shows_on_the_record(self):
        rule = self.make_rule(
            name="Warm",
            domain="[('probability', '>', 50)]",
            actions=[self.set_priority("3")],
        )
        lead = self.Lead.create({"name": "Warm", "probability": 60})
        self.assertEqual(lead.priority, "3")
        self.assertTrue(self.runs(rule, lead))
        self.assertFalse(
            lead.message_ids.filtered(lambda m: "Workflow rule" in (m.body or ""))
        )


@tagged("post_install", "-at_install")
class TestDemoHistory(TransactionCase):
    """Not a WorkflowCase: it deactivates the demo rules, which cancels
    their pending jobs."""

    def setUp(self):
        super().setUp()
        if not self.env.ref(
            "crm_workflow_automation.crm_workflow_rule_won_erp_demo",
            raise_if_not_found=False,
        ):
            raise unittest.SkipTest("needs a database installed with demo data")

    def test_demo_has_runs_a_pending_follow_up_and_a_failed_webhook(self):
        ref = self.env.ref
        Run = self.env["crm.workflow.run"].sudo()
        Job = self.env["crm.workflow.job"].sudo()
        big_deal = ref("crm_workflow_automation.crm_workflow_rule_big_deal_demo")
        desks = ref("crm.crm_case_24")
        self.assertTrue(
            Run.search(
                [
                    ("rule_id", "=", big_deal.id),
                    ("res_id", "=", desks.id),
                    ("state", "=", "done"),
                ]
            )
        )
        follow_up = ref(
            "crm_workflow_automation.crm_workflow_action_won_follow_up_demo"
        )
        self.assertEqual(
            Job.search([("action_id", "=", follow_up.id)]).mapped("state"), ["pending"]
        )
        webhook = Job.search(
            [
                (
                    "action_id",
                    "=",
                    ref(
                        "crm_workflow_automation.crm_workflow_action_won_erp_webhook_demo"
                    ).id,
                )
            ]
        )
        self.assertEqual(webhook.state, "failed")
        self.assertIn("Receiver unreachable", webhook.last_error)
        self.assertIn(
            "Workflow rule “Big Deal Alert” ran",
            "".join(desks.message_ids.mapped("body")),
        )

    def test_demo_roll_up_function_runs_on_a_won_opportunity(self):
        """The demo's "Roll up won revenue" runs in the sandbox (it used
        ``next``, which the sandbox does not offer, and failed on every won
        opportunity)."""
        function = self.env.ref(
            "crm_workflow_automation.crm_workflow_function_roll_up_demo"
        )
        won = self.env["crm.lead"].search(
            [("stage_id.is_won", "=", True), ("partner_id", "!=", False)], limit=1
        )
        self.assertTrue(won, "the demo has a won opportunity with a customer")
        result = function._call(won, {})
        self.assertIn("won_revenue", result)
