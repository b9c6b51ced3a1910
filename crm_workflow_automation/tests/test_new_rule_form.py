# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A rule, its condition and its actions created in one go in the form, as
the web client does (the browser tour does the same with clicks)."""

from odoo.tests import Form, tagged

from .common import WorkflowCase


@tagged("post_install", "-at_install")
class TestNewRuleForm(WorkflowCase):
    def test_actions_of_an_unsaved_rule_know_their_record_type(self):
        """Field to update, user field, date field… offer the lead's fields
        before the rule, its condition and the action are saved."""
        lead_model = self.env["ir.model"]._get_id("crm.lead")
        form = Form(self.Rule.with_user(self.sales_manager))
        form.name = "Hot leads"
        with form.condition_ids.new() as condition:
            self.assertEqual(condition.model_id.id, lead_model)
            condition.domain = "[('probability', '>=', 50)]"
            with condition.instant_action_ids.new() as action:
                self.assertEqual(action.model_id.id, lead_model)
                action.action_type = "field_update"
                action.update_field_id = self.field("priority")
                action.update_selection_value = self.env[
                    "ir.model.fields.selection"
                ].search(
                    [("field_id", "=", self.field("priority").id), ("value", "=", "3")]
                )
        rule = form.save()
        self.assertEqual(rule.action_ids.model_id.id, lead_model)
        lead = self.Lead.with_user(self.salesman).create(
            {"name": "Hot", "probability": 60}
        )
        self.assertEqual(lead.priority, "3")
