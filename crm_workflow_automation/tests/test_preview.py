# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Preview before activation: the counts a rule would concern, equal to a
direct search, and no side effect at all."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .common import WorkflowCase


@tagged("post_install", "-at_install")
class TestPreview(WorkflowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.leads = cls.Lead.create(
            [
                {"name": f"Preview lead {i}", "expected_revenue": 1000 * i}
                for i in range(1, 13)
            ]
        )
        cls.template = cls.env["mail.template"].create(
            {
                "name": "Preview template",
                "model_id": cls.env["ir.model"]._get_id("crm.lead"),
                "subject": "Hello {{ object.name }}",
                "body_html": "<p>Hi</p>",
            }
        )

    def big_deal_rule(self, **values):
        return self.make_rule(
            "Big deals (preview)",
            active=False,
            conditions=[
                {
                    "domain": "[('expected_revenue', '>=', 9000)]",
                    "actions": [
                        self.set_priority("3"),
                        {
                            "action_type": "email",
                            "mail_template_id": self.template.id,
                            "email_recipients": "addresses",
                            "email_addresses": "boss@example.com",
                        },
                    ],
                },
                {
                    "domain": "[('expected_revenue', '>=', 5000)]",
                    "actions": [self.set_priority("2")],
                },
                {"is_fallback": True, "actions": [self.set_priority("1")]},
            ],
            **values,
        )

    def snapshot(self):
        self.env.flush_all()
        cr = self.env.cr
        counts = {}
        for table in ("mail_mail", "crm_workflow_job", "crm_workflow_run"):
            cr.execute(SQL("SELECT count(*) FROM %s", SQL.identifier(table)))
            counts[table] = cr.fetchone()[0]
        cr.execute(
            "SELECT id, write_date FROM crm_lead WHERE id = ANY(%s) ORDER BY id",
            [self.leads.ids],
        )
        counts["write_dates"] = cr.fetchall()
        return counts

    def test_preview_counts_each_branch_as_a_direct_search(self):
        rule = self.big_deal_rule()
        preview = self.env["crm.workflow.preview"].create({"rule_id": rule.id})
        Lead = self.env["crm.lead"]
        big = Lead.search_count([("expected_revenue", ">=", 9000)])
        middle = Lead.search_count(
            [("expected_revenue", ">=", 5000), ("expected_revenue", "<", 9000)]
        )
        rest = Lead.search_count(
            ["|", ("expected_revenue", "<", 5000), ("expected_revenue", "=", False)]
        )
        lines = preview.line_ids
        self.assertEqual(lines.mapped("condition_id"), rule.condition_ids)
        self.assertEqual(lines.mapped("match_count"), [big, middle, rest])
        self.assertEqual(preview.match_count, Lead.search_count([]))
        self.assertGreaterEqual(big, 4)  # the setup's leads 9..12
        first = Lead.search([("expected_revenue", ">=", 9000)], order="id", limit=5)
        self.assertEqual(lines[0].sample, ", ".join(first.mapped("display_name")))
        self.assertEqual(lines[0].sample_res_ids, ",".join(map(str, first.ids)))
        records = lines[0].action_open_records()
        self.assertEqual(Lead.search_count(records["domain"]), big)

    def test_preview_changes_nothing(self):
        rule = self.big_deal_rule(trigger="on_create_or_write")
        before = self.snapshot()
        preview = self.env["crm.workflow.preview"].create({"rule_id": rule.id})
        preview.action_refresh()
        self.assertTrue(preview.line_ids)
        self.assertEqual(self.snapshot(), before)
        self.assertFalse(rule.active)

    def test_preview_warns_above_the_threshold(self):
        rule = self.big_deal_rule()
        ICP = self.env["ir.config_parameter"].sudo()
        ICP.set_param("crm_workflow_automation.preview_threshold", 5)
        preview = self.env["crm.workflow.preview"].create({"rule_id": rule.id})
        self.assertGreater(preview.touched_count, 5)
        self.assertIn("threshold of 5", preview.warning)
        ICP.set_param("crm_workflow_automation.preview_threshold", 100000)
        preview.action_refresh()
        self.assertFalse(preview.warning)

    def test_preview_of_a_date_rule_lists_the_runs_of_the_next_days(self):
        today = fields.Date.context_today(self.env.user)
        soon, later, far = self.leads[:3]
        soon.date_deadline = today + timedelta(days=3)
        later.date_deadline = today + timedelta(days=10)
        far.date_deadline = today + timedelta(days=90)
        rule = self.make_rule(
            "Closing soon (preview)",
            trigger="on_date",
            active=False,
            date_field_id=self.field("date_deadline").id,
            date_offset=-1,
            date_offset_unit="days",
            actions=[self.set_priority("3")],
        )
        before = self.snapshot()
        preview = self.env["crm.workflow.preview"].create(
            {"rule_id": rule.id, "days": 30}
        )
        self.env["crm.workflow.action"].create(
            dict(
                self.set_priority("1"),
                name="Cool down (preview)",
                condition_id=rule.condition_ids.id,
                timing="scheduled",
                delay_amount=40,
                delay_unit="days",
            )
        )
        # a delay after the rule's own run: too late for the horizon
        preview.action_refresh()
        self.assertEqual(self.snapshot(), before)
        expected = self.Lead.search(
            [
                ("date_deadline", ">=", today + timedelta(days=2)),
                ("date_deadline", "<=", today + timedelta(days=31)),
            ]
        )
        self.assertEqual(preview.scheduled_count, len(expected))
        lines = preview.first_due_times.splitlines()
        self.assertEqual(lines, sorted(lines, key=lambda line: line[:16]))
        position = {
            lead: next(i for i, line in enumerate(lines) if lead.name in line)
            for lead in (soon, later)
        }
        self.assertLess(position[soon], position[later])
        self.assertNotIn(far.name, preview.first_due_times)
        self.assertNotIn("Cool down", preview.first_due_times)
        action = rule.condition_ids.with_context(active_test=False).action_ids[-1]
        action.delay_amount = 1
        preview.action_refresh()
        # the rule's run plus one day: the same records, except those whose
        # run falls on the horizon's last day
        cool = [
            line for line in preview.first_due_times.splitlines() if "Cool down" in line
        ]
        self.assertTrue(cool)
        self.assertGreater(preview.scheduled_count, len(expected))
        self.assertLessEqual(preview.scheduled_count, 2 * len(expected))

    def test_preview_of_an_automation_rule_counts_its_stage(self):
        self.leads[:4].write({"stage_id": self.stage_qualified.id})
        robot = self.env["crm.workflow.robot"].create(
            {
                "name": "Qualified (preview)",
                "stage_id": self.stage_qualified.id,
                "domain": "[('expected_revenue', '>=', 2000)]",
                "action_type": "field_update",
                "update_field_id": self.field("priority").id,
                "update_value": "2",
            }
        )
        preview = self.env["crm.workflow.preview"].create({"robot_id": robot.id})
        expected = self.Lead.search_count(
            [
                ("stage_id", "=", self.stage_qualified.id),
                ("expected_revenue", ">=", 2000),
            ]
        )
        self.assertEqual(preview.line_ids.match_count, expected)
        self.assertEqual(expected, 3)

    def test_preview_needs_a_rule_or_an_automation_rule(self):
        with self.assertRaises(ValidationError):
            self.env["crm.workflow.preview"].create({})

    def test_preview_button_opens_the_filled_wizard(self):
        rule = self.big_deal_rule()
        action = rule.action_preview()
        preview = self.env["crm.workflow.preview"].browse(action["res_id"])
        self.assertEqual(preview.rule_id, rule)
        self.assertEqual(len(preview.line_ids), 3)

    def test_a_workflow_manager_previews_and_a_sales_user_may_not(self):
        manager = new_test_user(
            self.env,
            login="cwa_preview_manager",
            groups="sales_team.group_sale_manager,"
            "crm_workflow_automation.group_workflow_manager",
        )
        rule = self.big_deal_rule()
        preview = (
            self.env["crm.workflow.preview"]
            .with_user(manager)
            .create({"rule_id": rule.id})
        )
        self.assertEqual(len(preview.line_ids), 3)
        with self.assertRaises(AccessError):
            self.env["crm.workflow.preview"].with_user(self.salesman).create(
                {"rule_id": rule.id}
            )
