# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Loop analysis at design time: the rule form warns when rules (and stage
automation) change fields that the others watch, in a cycle."""

from odoo.tests import tagged

from .common import WorkflowCase


@tagged("post_install", "-at_install")
class TestLoopWarning(WorkflowCase):
    def revenue_rule(self, **values):
        """Watches the expected revenue, raises the priority."""
        return self.make_rule(
            "Revenue raises priority",
            trigger="on_write",
            trigger_field_ids=["expected_revenue"],
            actions=[self.set_priority("3")],
            **values,
        )

    def priority_rule(self, **values):
        """Watches the priority, changes the expected revenue."""
        return self.make_rule(
            "Priority sets revenue",
            trigger="on_write",
            trigger_field_ids=["priority"],
            actions=[self.field_update("expected_revenue", "1000")],
            **values,
        )

    def test_two_rules_that_feed_each_other_are_shown_as_a_cycle(self):
        self.priority_rule()
        draft = self.revenue_rule(active=False)
        warning = draft.loop_warning
        self.assertTrue(warning)
        self.assertIn(
            "“Revenue raises priority” changes Priority, which “Priority sets "
            "revenue” watches",
            warning,
        )
        self.assertIn(
            "“Priority sets revenue” changes Expected Revenue, which “Revenue "
            "raises priority” watches",
            warning,
        )

    def test_unrelated_rules_get_no_warning(self):
        self.priority_rule()
        draft = self.make_rule(
            "Description adds a tag",
            trigger="on_write",
            trigger_field_ids=["description"],
            active=False,
            actions=[self.field_update("name", "Renamed")],
        )
        self.assertFalse(draft.loop_warning)
        # one way only (the revenue rule feeds the priority rule, which does
        # not feed it back) is not a loop either
        one_way = self.make_rule(
            "Revenue sets the name",
            trigger="on_write",
            trigger_field_ids=["expected_revenue"],
            active=False,
            actions=[self.field_update("name", "Renamed")],
        )
        self.assertFalse(one_way.loop_warning)
        # positive control: the same draft, fed back by the priority rule, is
        self.assertTrue(self.revenue_rule(active=False).loop_warning)

    def test_a_rule_watching_any_field_is_fed_by_every_field_update(self):
        self.make_rule(
            "Any edit raises priority",
            trigger="on_write",
            actions=[self.set_priority("3")],
        )
        draft = self.priority_rule(active=False)
        self.assertIn("which “Any edit raises priority” watches", draft.loop_warning)

    def test_a_stage_move_feeding_an_automation_rule_of_that_stage(self):
        self.env["crm.workflow.robot"].create(
            {
                "name": "Qualified raises priority",
                "stage_id": self.stage_qualified.id,
                "action_type": "field_update",
                "update_field_id": self.field("priority").id,
                "update_value": "3",
            }
        )
        mover = self.make_rule(
            "Priority qualifies",
            trigger="on_write",
            trigger_field_ids=["priority"],
            active=False,
            actions=[
                {"action_type": "set_stage", "target_stage_id": self.stage_qualified.id}
            ],
        )
        self.assertIn(
            "“Priority qualifies” changes Stage, which “Qualified raises priority” "
            "watches",
            mover.loop_warning,
        )
        other_stage = self.make_rule(
            "Priority wins",
            trigger="on_write",
            trigger_field_ids=["priority"],
            active=False,
            actions=[
                {"action_type": "set_stage", "target_stage_id": self.stage_won.id}
            ],
        )
        self.assertFalse(other_stage.loop_warning)

    def test_a_stage_trigger_fed_by_the_rule_and_feeding_it_back(self):
        self.env["crm.workflow.trigger"].create(
            {
                "name": "Hot ones qualify",
                "stage_id": self.stage_qualified.id,
                "trigger_type": "field_match",
                "domain": "[('priority', '=', '3')]",
            }
        )
        draft = self.make_rule(
            "Stage change raises priority",
            trigger="on_write",
            trigger_field_ids=["stage_id"],
            active=False,
            actions=[self.set_priority("3")],
        )
        warning = draft.loop_warning
        self.assertIn(
            "“Stage change raises priority” changes Priority, which “Hot ones "
            "qualify” watches",
            warning,
        )
        self.assertIn(
            "“Hot ones qualify” changes Stage, which “Stage change raises priority” "
            "watches",
            warning,
        )
