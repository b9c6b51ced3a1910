# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Why did it (not) fire? The trace of a record, rule by rule: the failing
domain leaf, the watched fields of the last edit, a pause, first time only,
the loop guard."""

from odoo.tests import new_test_user, tagged

from .common import WorkflowCase


@tagged("post_install", "-at_install")
class TestExplain(WorkflowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.big_deal = cls.make_rule(
            "Big Deal Alert (explain)",
            trigger="on_write",
            trigger_field_ids=["expected_revenue"],
            domain="[('expected_revenue', '>=', 50000), ('probability', '>', 70)]",
            actions=[cls.set_priority("3")],
        )

    def edited_lead(self, values, **edit):
        """A lead created an hour ago, then edited now (tracked)."""
        lead = self.Lead.create(dict({"name": "Explained lead"}, **values))
        self.env.flush_all()
        self.env.cr.precommit.run()  # the creation's own tracking, apart
        self.env.cr.execute(
            "UPDATE crm_lead SET create_date = create_date - interval '1 hour' "
            "WHERE id = %s",
            [lead.id],
        )
        lead.invalidate_recordset()
        if edit:
            lead.write(edit)
            self.env.flush_all()
            self.env.cr.precommit.run()  # the chatter's tracking
        return lead

    def explain(self, record):
        action = self.env["crm.workflow.explain"].action_explain(
            record._name, record.id
        )
        return self.env["crm.workflow.explain"].browse(action["res_id"])

    def steps(self, explain, rule):
        return explain.line_ids.filtered(lambda line: line.rule_id == rule)

    def test_record_that_did_not_match_names_the_failing_leaf(self):
        lead = self.edited_lead({"probability": 10}, expected_revenue=60000)
        self.assertEqual(lead.priority, "0")  # the rule did not fire
        steps = self.steps(self.explain(lead), self.big_deal)
        trigger = steps.filtered(lambda s: s.step == "trigger")
        self.assertEqual(trigger.result, "yes")
        self.assertIn("Expected Revenue", trigger.detail)
        condition = steps.filtered(lambda s: s.step == "condition")
        self.assertEqual(condition.result, "no")
        self.assertIn("✓ Expected Revenue >= 50000: true", condition.detail)
        self.assertIn(
            "✗ Probability > 70: false (the record has 10.0)", condition.detail
        )
        verdict = steps.filtered(lambda s: s.step == "verdict")
        self.assertEqual(verdict.result, "no")
        self.assertIn("no condition is met", verdict.detail)

    def test_edit_of_a_field_the_rule_does_not_watch(self):
        lead = self.edited_lead(
            {"probability": 90, "expected_revenue": 80000},
            stage_id=self.stage_qualified.id,
        )
        explain = self.explain(lead)
        self.assertIn("Stage", explain.last_event)
        trigger = self.steps(explain, self.big_deal).filtered(
            lambda s: s.step == "trigger"
        )
        self.assertEqual(trigger.result, "no")
        self.assertIn("changed none of them", trigger.detail)

    def test_record_that_fired_and_a_first_time_only_rule(self):
        self.big_deal.repeat_mode = "first_match"
        lead = self.edited_lead({"probability": 90}, expected_revenue=60000)
        self.assertEqual(lead.priority, "3")  # it fired
        steps = self.steps(self.explain(lead), self.big_deal)
        self.assertEqual(steps.filtered(lambda s: s.step == "condition").result, "yes")
        first = steps.filtered(lambda s: s.step == "first_match")
        self.assertEqual(first.result, "no")
        self.assertIn("already ran", first.detail)
        self.assertIn("Done", steps.filtered(lambda s: s.step == "log").detail)
        self.assertIn(
            "already ran once", steps.filtered(lambda s: s.step == "verdict").detail
        )

    def test_inactive_rule_and_loop_guard_are_named(self):
        lead = self.edited_lead({"probability": 90}, expected_revenue=60000)
        self.env["crm.workflow.run"]._log_bulk(
            self.env["crm.workflow.engine"]._log_rows(
                self.big_deal,
                self.big_deal.condition_ids,
                "crm.lead",
                [lead.id],
                "loop_stopped",
                error="Stopped by the loop guard after 5 chained rules: A → B",
            )
        )
        self.big_deal.active = False
        steps = self.steps(self.explain(lead), self.big_deal)
        self.assertEqual(steps.filtered(lambda s: s.step == "pause").result, "no")
        guard = steps.filtered(lambda s: s.step == "loop_guard")
        self.assertIn("A → B", guard.detail)
        self.assertIn("inactive", steps.filtered(lambda s: s.step == "verdict").detail)

    def test_automation_rule_of_another_stage(self):
        robot = self.env["crm.workflow.robot"].create(
            {
                "name": "Qualified big ones (explain)",
                "stage_id": self.stage_qualified.id,
                "domain": "[('expected_revenue', '>=', 1000)]",
                "action_type": "field_update",
                "update_field_id": self.field("priority").id,
                "update_value": "2",
            }
        )
        lead = self.edited_lead({"stage_id": self.stage_new.id, "expected_revenue": 10})
        steps = self.explain(lead).line_ids.filtered(lambda s: s.robot_id == robot)
        self.assertEqual(steps.filtered(lambda s: s.step == "trigger").result, "no")
        self.assertIn(
            "✗ Expected Revenue >= 1000: false (the record has 10.0)",
            steps.filtered(lambda s: s.step == "condition").detail,
        )

    def test_lead_form_button_opens_the_explanation(self):
        lead = self.edited_lead({"probability": 10})
        server_action = self.env.ref(
            "crm_workflow_automation.crm_workflow_explain_action"
        )
        action = server_action.with_context(
            active_model="crm.lead", active_id=lead.id, active_ids=lead.ids
        ).run()
        explain = self.env["crm.workflow.explain"].browse(action["res_id"])
        self.assertEqual((explain.res_model, explain.res_id), ("crm.lead", lead.id))
        self.assertTrue(self.steps(explain, self.big_deal))

    def test_a_workflow_manager_sees_the_explanation(self):
        manager = new_test_user(
            self.env,
            login="cwa_explain_manager",
            groups="sales_team.group_sale_manager,"
            "crm_workflow_automation.group_workflow_manager",
        )
        lead = self.edited_lead({"probability": 10}, expected_revenue=60000)
        explain = (
            self.env["crm.workflow.explain"]
            .with_user(manager)
            .create({"res_model": "crm.lead", "res_id": lead.id})
        )
        self.assertIn(
            "✗ Probability > 70",
            self.steps(explain, self.big_deal)
            .filtered(lambda s: s.step == "condition")
            .detail,
        )
