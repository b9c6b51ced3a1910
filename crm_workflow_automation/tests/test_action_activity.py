# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Task (activity) actions: the task, its due date and who gets it. Run as the
salesperson who creates or edits a lead; the effect is read back from the
database."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import ActionCase


@tagged("post_install", "-at_install")
class TestActivityAction(ActionCase):
    """A task on the record, for the salesperson, a chosen user or the user
    of a field, due a number of days after today."""

    def task_rule(self, **extra):
        return self.make_rule(
            name="Call back",
            trigger="on_create",
            user_id=self.sales_manager.id,
            actions=[
                {
                    "action_type": "activity",
                    "activity_type_id": self.todo.id,
                    "activity_summary": "Call the customer",
                    "activity_due_days": 3,
                    **extra,
                }
            ],
        )

    def task_of(self, lead):
        lead = self.read_back(lead)
        self.assertEqual(len(lead.activity_ids), 1, lead.activity_ids)
        return lead.activity_ids

    def test_new_lead_gives_salesperson_a_call_task_due_in_three_days(self):
        rule = self.task_rule()
        lead = self.new_lead("Call me", user_id=self.salesman.id)
        task = self.task_of(lead)
        self.assertEqual(task.user_id, self.salesman)
        self.assertEqual(task.summary, "Call the customer")
        self.assertEqual(task.activity_type_id, self.todo)
        today = fields.Date.context_today(lead)
        self.assertEqual(task.date_deadline, today + timedelta(days=3))
        self.assert_ran(rule, lead)

    def test_chosen_user_gets_the_task(self):
        self.task_rule(
            activity_user_type="user", activity_user_id=self.sales_manager.id
        )
        lead = self.new_lead("Manager reviews")
        self.assertEqual(self.task_of(lead).user_id, self.sales_manager)

    def test_task_goes_to_the_user_in_the_chosen_field(self):
        self.task_rule(
            activity_user_type="field",
            activity_user_field_id=self.field("create_uid").id,
        )
        lead = self.new_lead("Unassigned, creator follows up", user_id=False)
        self.assertEqual(self.task_of(lead).user_id, self.salesman)

    def test_unassigned_lead_task_goes_to_rule_responsible(self):
        self.task_rule()
        lead = self.new_lead("Nobody's lead", user_id=False)
        self.assertEqual(self.task_of(lead).user_id, self.sales_manager)
