# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Field update actions: fixed values of every kind, expressions, and who may
write what. Run as the salesperson who creates or edits a lead; the effect
is read back from the database."""

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import ActionCase


@tagged("post_install", "-at_install")
class TestFieldUpdateAction(ActionCase):
    """Fixed values of each field type, many2many operations, developer
    expressions, and the superuser option."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.source = cls.env["utm.source"].create({"name": "Trade fair (tests)"})

    def test_fixed_text_number_and_option_are_written(self):
        rule = self.make_rule(
            trigger="on_create",
            actions=[
                self.field_update("referred", "Trade fair 2026"),
                self.field_update("color", "5"),
                self.field_update("priority", "2"),
            ],
        )
        lead = self.read_back(self.new_lead("Fair visitor"))
        self.assertEqual(lead.referred, "Trade fair 2026")
        self.assertEqual(lead.color, 5)
        self.assertEqual(lead.priority, "2")
        self.assert_ran(rule, lead)

    def test_chosen_priority_option_is_set(self):
        self.make_rule(trigger="on_create", actions=[self.set_priority("3")])
        self.assertEqual(self.read_back(self.new_lead("Very hot")).priority, "3")

    def test_fixed_source_is_set_on_new_lead(self):
        self.make_rule(
            trigger="on_create",
            actions=[
                self.field_update(
                    "source_id",
                    False,
                    update_record_ref=f"utm.source,{self.source.id}",
                )
            ],
        )
        self.assertEqual(
            self.read_back(self.new_lead("Badge scan")).source_id, self.source
        )

    def test_fixed_no_archives_spam_lead(self):
        rule = self.make_rule(
            trigger="on_create",
            domain="[('name', 'ilike', 'casino')]",
            actions=[self.field_update("active", False, update_boolean_value="false")],
        )
        spam = self.read_back(self.new_lead("Free casino bonus"))
        real = self.read_back(self.new_lead("Quote for 40 desks"))
        self.assertFalse(spam.active)
        self.assertTrue(real.active)
        self.assert_ran(rule, spam)

    def test_fixed_yes_restores_archived_lead_on_edit(self):
        self.make_rule(
            trigger="on_write",
            trigger_field_ids=["priority"],
            actions=[self.field_update("active", False, update_boolean_value="true")],
        )
        lead = self.new_lead("Came back")
        lead.sudo().action_archive()
        lead.write({"priority": "1"})
        lead = self.read_back(lead)
        self.assertTrue(lead.active)
        self.assertEqual(lead.priority, "1")

    def test_tag_is_added_removed_replaced_and_cleared(self):
        ref = f"crm.tag,{self.tag_vip.id}"
        expected = {
            "add": self.tag_hot | self.tag_cold | self.tag_vip,
            "remove": self.tag_hot,
            "set": self.tag_vip,
            "clear": self.env["crm.tag"],
        }
        for operation, tags in expected.items():
            rule = self.make_rule(
                name=f"Tags: {operation}",
                trigger="on_create",
                actions=[
                    self.field_update(
                        "tag_ids",
                        False,
                        update_m2m_operation=operation,
                        update_record_ref=ref if operation != "clear" else False,
                    )
                ],
            )
            start = self.tag_hot | self.tag_cold
            if operation == "remove":
                start = self.tag_hot | self.tag_vip
            lead = self.new_lead(
                f"Tagged ({operation})", tag_ids=[Command.set(start.ids)]
            )
            self.assertEqual(self.read_back(lead).tag_ids, tags, operation)
            rule.active = False

    def test_developer_expression_computes_the_value(self):
        rule = self.rule_as(
            self.developer,
            [
                self.field_update(
                    "referred",
                    False,
                    update_mode="expression",
                    update_expression="'%s by %s' % (record.name.upper(), user.name)",
                )
            ],
        )
        lead = self.read_back(self.new_lead("Expo lead"))
        self.assertEqual(lead.referred, "EXPO LEAD by Sam Salesman")
        self.assert_ran(rule, lead)

    def test_expression_returning_a_user_sets_the_owner(self):
        self.rule_as(
            self.developer,
            [
                self.field_update(
                    "user_id",
                    False,
                    update_mode="expression",
                    update_expression="record.team_id.user_id",
                )
            ],
        )
        lead = self.new_lead("Leader's deal", user_id=self.salesman.id)
        self.assertEqual(self.read_back(lead).user_id, self.sales_manager)

    def test_manager_cannot_write_an_expression(self):
        with self.assertRaisesRegex(AccessError, "Only Workflow Developers"):
            self.rule_as(
                self.sales_manager,
                [
                    self.field_update(
                        "referred",
                        False,
                        update_mode="expression",
                        update_expression="record.name",
                    )
                ],
            )

    def handover_rule(self, run_as_superuser):
        """Big deals go to Tina and become very hot. Once Tina owns the lead,
        Sam, who triggered the rule, may no longer write it (CRM's personal
        leads rule): the priority is a field he cannot write."""
        return self.rule_as(
            self.sales_manager,
            [
                {
                    "action_type": "assign_owner",
                    "sequence": 1,
                    "assign_user_id": self.salesman2.id,
                },
                dict(self.set_priority("3"), sequence=2),
            ],
            domain="[('expected_revenue', '>=', 10000)]",
            trigger="on_write",
            run_as_superuser=run_as_superuser,
        )

    def test_sales_manager_can_save_rule_watching_a_field(self):
        """A Workflow Manager builds "when the expected revenue changes" rules
        (reading the model's fields, which Odoo reserves to administrators)."""
        rule = self.rule_as(
            self.sales_manager,
            [self.set_priority("3")],
            trigger="on_write",
            trigger_fields=["expected_revenue"],
        )
        self.assertEqual(rule.trigger_field_ids, self.field("expected_revenue"))
        lead = self.new_lead("Grows")
        lead.write({"expected_revenue": 90000})
        self.assertEqual(self.read_back(lead).priority, "3")

    def test_superuser_update_writes_what_the_salesman_cannot(self):
        rule = self.handover_rule(run_as_superuser=True)
        lead = self.new_lead("Big one", user_id=self.salesman.id)
        lead.write({"expected_revenue": 50000})
        lead = self.read_back(lead)
        self.assertEqual(lead.expected_revenue, 50000)
        self.assertEqual(lead.user_id, self.salesman2)
        self.assertEqual(lead.priority, "3")
        self.assert_ran(rule, lead)

    def test_superuser_updates_need_a_workflow_manager_responsible(self):
        with self.assertRaises(ValidationError) as caught:
            self.handover_rule(run_as_superuser=True).user_id = self.salesman
        self.assertIn("Workflow Manager", str(caught.exception))

    def test_update_without_superuser_fails_and_keeps_salesman_edit(self):
        rule = self.handover_rule(run_as_superuser=False)
        lead = self.new_lead("Big one", user_id=self.salesman.id)
        lead.write({"expected_revenue": 50000})
        lead = self.read_back(lead)
        self.assertEqual(lead.expected_revenue, 50000, "the user's own edit is kept")
        self.assertEqual(lead.user_id, self.salesman, "the whole branch is undone")
        self.assertEqual(lead.priority, "0")
        self.assertFalse(self.runs(rule=rule, records=lead, state="done"))
        failed = self.assert_ran(rule, lead, state="failed")
        self.assertIn("Sorry, Sam Salesman", failed.error)
        self.assertIn("Lead/Opportunity (crm.lead)", failed.error)
        self.assertEqual(failed.user_id, self.salesman)
        self.assertEqual(rule.failure_streak, 1)
