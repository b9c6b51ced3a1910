# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The backtest of a rule (issue 29 item 3): the past creations and tracked
edits replayed, each record rebuilt as it was; its counts equal what the rule
does when the same changes are made live on copies; nothing is written."""

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import ActionCase


@tagged("post_install", "-at_install")
class TestBacktest(ActionCase):
    # (name, initial revenue, the revenues it is edited to, in turn)
    HISTORY = [
        ("Backtest A", 20000, [60000, 5000]),
        ("Backtest B", 1000, [70000, 90000]),
        ("Backtest C", 3000, [100]),
        ("Backtest D", 15000, [40000]),
    ]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the database's own history (demo data, other tests) is older than
        # the periods replayed here
        cls.env.flush_all()
        cls.env.cr.execute(
            "UPDATE mail_message SET date = date - interval '200 days' "
            "WHERE model = 'crm.lead'"
        )
        cls.env.cr.execute(
            "UPDATE crm_lead SET create_date = create_date - interval '200 days'"
        )
        cls.env.invalidate_all()

    def revenue_rule(self, **values):
        return self.make_rule(
            name="Revenue bands",
            trigger=values.pop("trigger", "on_write"),
            trigger_field_ids=values.pop("trigger_field_ids", ["expected_revenue"]),
            conditions=[
                {
                    "name": "Big",
                    "domain": "[('expected_revenue', '>', 50000)]",
                    "actions": [self.field_update("description", "big")],
                },
                {
                    "name": "Medium",
                    "domain": "[('expected_revenue', '>', 10000)]",
                    "actions": [self.field_update("description", "medium")],
                },
            ],
            **values,
        )

    def make_history(self, suffix=""):
        """The HISTORY's leads, created and edited one write at a time, their
        tracking written (as at the end of each request)."""
        leads = self.Lead
        for name, initial, edits in self.HISTORY:
            lead = self.new_lead(name + suffix, expected_revenue=initial)
            self.env.cr.precommit.run()
            for revenue in edits:
                lead.with_user(self.salesman).write({"expected_revenue": revenue})
                self.env.cr.precommit.run()
            leads |= lead
        return leads

    def backtest(self, rule, days=1):
        return self.env["crm.workflow.backtest"].create(
            {"rule_id": rule.id, "days": days}
        )

    def line(self, backtest, name):
        return backtest.line_ids.filtered(lambda line: line.name == name)

    def test_counts_equal_the_rule_run_live_on_the_same_changes(self):
        rule = self.revenue_rule()
        rule.active = False
        past = self.make_history()
        backtest = self.backtest(rule)
        # the same changes, live, on copies, with the rule active
        rule.active = True
        live = self.make_history(" (live)")
        for condition in rule.condition_ids:
            runs = self.runs(rule, live, state="done").filtered(
                lambda r, c=condition: r.condition_id == c
            )
            line = self.line(backtest, condition.name)
            self.assertEqual(line.run_count, len(runs), condition.name)
            self.assertEqual(line.match_count, len(set(runs.mapped("res_id"))))
        # A 60000 (big) 5000; B 70000 (big) 90000 (big); C 100; D 40000 (medium)
        self.assertEqual(
            (
                self.line(backtest, "Big").run_count,
                self.line(backtest, "Medium").run_count,
            ),
            (3, 1),
        )
        self.assertEqual(backtest.event_count, 6)
        self.assertEqual(backtest.record_count, 4)
        self.assertEqual(backtest.match_count, 3)
        big = {int(i) for i in self.line(backtest, "Big").res_ids.split(",")}
        self.assertEqual(
            big, set(past.filtered(lambda lead: lead.name[-1] in "AB").ids)
        )
        self.assertFalse(backtest.approximate, backtest.approximate_note)

    def test_a_creation_is_judged_as_the_record_was_then(self):
        """Created big, edited small since: the creation matched."""
        rule = self.revenue_rule(trigger="on_create", trigger_field_ids=[])
        rule.active = False
        self.make_history()
        backtest = self.backtest(rule)
        self.assertEqual(backtest.event_count, 4)
        # created at 20000, 1000, 3000 and 15000: A and D were medium then
        self.assertEqual(self.line(backtest, "Medium").match_count, 2)
        self.assertEqual(self.line(backtest, "Big").match_count, 0)

    def test_only_the_first_time_counts_a_record_once(self):
        rule = self.revenue_rule(repeat_mode="first_match")
        rule.active = False
        self.make_history()
        backtest = self.backtest(rule)
        self.assertEqual(self.line(backtest, "Big").run_count, 2)
        self.assertEqual(backtest.run_count, 3)

    def test_nothing_is_written_sent_or_queued(self):
        rule = self.make_rule(
            name="Scheduled and instant",
            trigger="on_write",
            trigger_field_ids=["expected_revenue"],
            actions=[
                self.field_update("description", "touched"),
                {
                    "action_type": "email",
                    "mail_template_id": self.template.id,
                    "email_recipients": "owner",
                    "timing": "scheduled",
                    "delay_amount": 2,
                    "delay_unit": "days",
                },
            ],
        )
        rule.active = False
        leads = self.make_history()
        counts = [
            self.env[model].search_count([])
            for model in ("crm.workflow.run", "crm.workflow.job", "mail.mail")
        ]
        backtest = self.backtest(rule)
        what = backtest.line_ids.what
        self.assertIn("(jobs queued: 6)", what)
        self.assertIn("touched", what)
        self.assertEqual(
            [
                self.env[model].search_count([])
                for model in ("crm.workflow.run", "crm.workflow.job", "mail.mail")
            ],
            counts,
        )
        self.assertFalse(any(self.read_back(leads).mapped("description")))

    def test_criteria_on_an_untracked_field_are_approximate(self):
        rule = self.make_rule(
            trigger="on_write",
            trigger_field_ids=["expected_revenue"],
            domain="[('probability', '>', 10)]",
            actions=[self.field_update("description", "x")],
        )
        rule.active = False
        self.make_history()
        backtest = self.backtest(rule)
        self.assertTrue(backtest.approximate)
        self.assertIn("Probability", backtest.approximate_note)

    def test_the_period_and_the_trigger_are_checked(self):
        rule = self.revenue_rule()
        for days in (0, 91):
            with self.assertRaises(ValidationError):
                self.backtest(rule, days=days)
        deleted = self.make_rule(trigger="on_unlink", actions=[])
        with self.assertRaisesRegex(UserError, "cannot be replayed"):
            self.backtest(deleted)

    def test_changes_older_than_the_period_are_not_replayed(self):
        rule = self.revenue_rule()
        rule.active = False
        leads = self.make_history()
        self.env.cr.execute(
            "UPDATE mail_message SET date = date - interval '10 days' "
            "WHERE model = 'crm.lead' AND res_id = ANY(%s)",
            [leads.ids],
        )
        self.env.invalidate_all()
        self.assertEqual(self.backtest(rule, days=5).event_count, 0)
        self.assertEqual(self.backtest(rule, days=11).event_count, 6)
