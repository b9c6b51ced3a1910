# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""CRM actions: owner (fixed and round robin), tags, stage and conversion to an
opportunity. Run as the salesperson who creates or edits a lead; the effect
is read back from the database."""

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ActionCase


@tagged("post_install", "-at_install")
class TestAssignOwnerAction(ActionCase):
    def owner_rule(self, **extra):
        return self.make_rule(
            name="Assign",
            trigger="on_create",
            actions=[{"action_type": "assign_owner", **extra}],
        )

    def test_new_lead_is_assigned_to_chosen_salesperson(self):
        rule = self.owner_rule(assign_mode="user", assign_user_id=self.salesman2.id)
        lead = self.new_lead("For Tina", user_id=self.salesman.id)
        self.assertEqual(self.read_back(lead).user_id, self.salesman2)
        self.assert_ran(rule, lead)

    def test_round_robin_deals_leads_in_turn_across_events(self):
        """The rotation is remembered: the second event starts after the
        member who got the last lead of the first one."""
        rule = self.owner_rule(assign_mode="round_robin")
        members = (self.salesman | self.salesman2).sorted("id")
        first = self.new_lead("RR 1", user_id=False)
        second = self.new_lead("RR 2", user_id=False)
        batch = self.Lead.with_user(self.salesman).create(
            [
                {"name": f"RR batch {n}", "team_id": self.team.id, "user_id": False}
                for n in (3, 4, 5)
            ]
        )
        got = [self.read_back(lead).user_id for lead in first | second | batch]
        self.assertEqual(
            got, [members[0], members[1], members[0], members[1], members[0]]
        )
        self.assert_ran(rule, first | second | batch)


@tagged("post_install", "-at_install")
class TestTagsStageConvertActions(ActionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_team = cls.env["crm.stage"].create(
            {"name": "Direct: proposal", "sequence": 3, "team_id": cls.team.id}
        )
        cls.stage_other = cls.env["crm.stage"].create(
            {"name": "KA: negotiation", "sequence": 4, "team_id": cls.other_team.id}
        )

    def test_new_lead_gets_tags(self):
        rule = self.make_rule(
            trigger="on_create",
            actions=[
                {
                    "action_type": "add_tags",
                    "tag_ids": [Command.set((self.tag_hot | self.tag_vip).ids)],
                }
            ],
        )
        lead = self.new_lead("Tag me", tag_ids=[Command.set(self.tag_cold.ids)])
        self.assertEqual(
            self.read_back(lead).tag_ids, self.tag_hot | self.tag_vip | self.tag_cold
        )
        self.assert_ran(rule, lead)

    def test_won_back_lead_loses_its_cold_tag(self):
        self.make_rule(
            trigger="on_write",
            trigger_field_ids=["priority"],
            domain="[('priority', '=', '3')]",
            actions=[
                {
                    "action_type": "remove_tags",
                    "tag_ids": [Command.set(self.tag_cold.ids)],
                }
            ],
        )
        lead = self.new_lead(
            "Warming up", tag_ids=[Command.set((self.tag_cold | self.tag_vip).ids)]
        )
        lead.write({"priority": "3"})
        self.assertEqual(self.read_back(lead).tag_ids, self.tag_vip)

    def test_big_deal_moves_to_qualified_stage(self):
        rule = self.make_rule(
            trigger="on_create",
            domain="[('expected_revenue', '>=', 10000)]",
            actions=[
                {"action_type": "set_stage", "target_stage_id": self.stage_qualified.id}
            ],
        )
        big = self.new_lead("Big", expected_revenue=25000)
        small = self.new_lead("Small", expected_revenue=500)
        self.assertEqual(self.read_back(big).stage_id, self.stage_qualified)
        self.assertEqual(self.read_back(small).stage_id, self.stage_new)
        self.assert_ran(rule, big)
        self.assertFalse(self.runs(rule=rule, records=small))

    def test_team_stage_is_accepted_when_condition_restricts_to_that_team(self):
        self.rule_as(
            self.sales_manager,
            [{"action_type": "set_stage", "target_stage_id": self.stage_team.id}],
            domain=f"[('team_id', '=', {self.team.id})]",
        )
        lead = self.new_lead("Direct deal")
        self.assertEqual(self.read_back(lead).stage_id, self.stage_team)

    def test_other_team_stage_is_refused_at_save(self):
        for domain in (
            f"[('team_id', '=', {self.team.id})]",
            f"[('team_id', 'in', [{self.team.id}])]",
        ):
            with self.assertRaisesRegex(
                ValidationError,
                "“KA: negotiation” belongs to the pipeline of another sales team",
            ):
                self.rule_as(
                    self.sales_manager,
                    [
                        {
                            "action_type": "set_stage",
                            "target_stage_id": self.stage_other.id,
                        }
                    ],
                    domain=domain,
                )

    def test_other_team_stage_fails_at_run_and_is_logged(self):
        rule = self.rule_as(
            self.sales_manager,
            [{"action_type": "set_stage", "target_stage_id": self.stage_other.id}],
        )
        lead = self.new_lead("Direct, not KA")
        lead = self.read_back(lead)
        self.assertTrue(lead.exists(), "the user's lead is kept")
        self.assertEqual(lead.stage_id, self.stage_new)
        failed = self.assert_ran(rule, lead, state="failed")
        self.assertIn("belongs to the pipeline of another sales team", failed.error)
        self.assertIn("Direct, not KA", failed.error)

    def test_lead_becomes_opportunity_with_new_customer(self):
        rule = self.make_rule(
            trigger="on_create",
            actions=[{"action_type": "convert", "convert_partner_action": "create"}],
        )
        lead = self.new_lead(
            "Convert me",
            type="lead",
            contact_name="Carla Customer",
            email_from="carla@example.com",
        )
        lead = self.read_back(lead)
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.partner_id.name, "Carla Customer")
        self.assertEqual(lead.partner_id.email, "carla@example.com")
        self.assert_ran(rule, lead)

    def test_lead_is_linked_to_existing_customer_with_same_email(self):
        buyer = self.env["res.partner"].create(
            {"name": "Existing Buyer", "email": "buyer@example.com"}
        )
        self.make_rule(
            trigger="on_create",
            actions=[{"action_type": "convert", "convert_partner_action": "exist"}],
        )
        partners_before = self.env["res.partner"].search_count([])
        lead = self.new_lead(
            "Repeat customer",
            type="lead",
            contact_name="Someone Else",
            email_from="buyer@example.com",
        )
        lead = self.read_back(lead)
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.partner_id, buyer)
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before)
