# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Workflow rules: triggers, criteria with branches, repeat modes, errors,
loops and batches, as a sales user (not admin) would meet them."""

import pytz

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import WorkflowCase


@tagged("post_install", "-at_install")
class TestTriggers(WorkflowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.LeadAsSalesman = cls.Lead.with_user(cls.salesman)

    def test_big_deal_alert_notifies_managers(self):
        managers = self.env.ref("sales_team.group_sale_manager")
        rule = self.make_rule(
            "Big Deal Alert",
            domain="[('expected_revenue', '>', 50000), ('probability', '>', 70)]",
            actions=[
                {
                    "action_type": "notify",
                    "notify_group_id": managers.id,
                    "notify_message": "<p>A big deal is coming.</p>",
                }
            ],
        )
        small = self.LeadAsSalesman.create({"name": "Small", "expected_revenue": 1000})
        big = self.LeadAsSalesman.create(
            {"name": "Big", "expected_revenue": 90000, "probability": 80}
        )
        self.assertFalse(self.runs(rule, small))
        self.assertEqual(self.runs(rule, big).state, "done")
        message = self.env["mail.message"].search(
            [
                ("model", "=", "crm.lead"),
                ("res_id", "=", big.id),
                ("message_type", "=", "user_notification"),
            ]
        )
        self.assertEqual(len(message), 1)
        self.assertIn(self.sales_manager.partner_id, message.partner_ids)
        self.assertIn("A big deal is coming", message.body)

    def test_on_create_fires_on_creation_only(self):
        rule = self.make_rule(trigger="on_create", actions=[self.set_priority("2")])
        lead = self.LeadAsSalesman.create({"name": "New lead"})
        self.assertEqual(lead.priority, "2")
        lead.priority = "0"
        lead.write({"name": "Renamed"})
        self.assertEqual(lead.priority, "0")
        self.assertEqual(len(self.runs(rule, lead)), 1)

    def test_on_write_fires_on_edit_only(self):
        rule = self.make_rule(trigger="on_write", actions=[self.set_priority("2")])
        lead = self.LeadAsSalesman.create({"name": "New lead"})
        self.assertEqual(lead.priority, "0")
        lead.write({"name": "Renamed"})
        self.assertEqual(lead.priority, "2")
        self.assertEqual(len(self.runs(rule, lead)), 1)

    def test_on_create_or_write_fires_on_both(self):
        rule = self.make_rule(
            trigger="on_create_or_write",
            domain="[('priority', '=', '0')]",
            actions=[self.set_priority("1")],
        )
        lead = self.LeadAsSalesman.create({"name": "New lead"})
        self.assertEqual(lead.priority, "1")
        lead.priority = "0"
        self.assertEqual(lead.priority, "1")
        self.assertEqual(len(self.runs(rule, lead)), 2)

    def test_on_unlink_runs_before_the_record_disappears(self):
        rule = self.make_rule(
            trigger="on_unlink",
            actions=[
                {
                    "action_type": "notify",
                    "user_ids": [Command.set(self.salesman2.ids)],
                    "notify_message": "<p>A lead was deleted.</p>",
                }
            ],
        )
        lead = self.LeadAsSalesman.create({"name": "Doomed"})
        lead_id = lead.id
        lead.with_user(self.sales_manager).unlink()
        self.assertFalse(self.Lead.browse(lead_id).exists())
        runs = (
            self.env["crm.workflow.run"]
            .sudo()
            .search([("rule_id", "=", rule.id), ("res_id", "=", lead_id)])
        )
        self.assertEqual(runs.state, "done")
        notified = (
            self.env["mail.notification"]
            .search([("res_partner_id", "=", self.salesman2.partner_id.id)])
            .mail_message_id
        )
        self.assertTrue(any("A lead was deleted" in m.body for m in notified))

    def test_email_received_and_sent_are_told_apart(self):
        received = self.make_rule(
            "Received", trigger="on_message_received", actions=[self.set_priority("3")]
        )
        sent = self.make_rule(
            "Sent", trigger="on_message_sent", actions=[self.field_update("color", "4")]
        )
        customer = self.env["res.partner"].create(
            {"name": "Customer", "email": "c@example.com"}
        )
        lead = self.LeadAsSalesman.create(
            {"name": "Talkative", "partner_id": customer.id}
        )
        lead.message_post(
            body="An internal note",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        self.assertFalse(self.runs(records=lead))
        lead.message_post(
            body="Our answer", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertEqual(lead.color, 4)
        self.assertEqual(lead.priority, "0")
        lead.sudo().message_post(
            body="Customer writes",
            message_type="email",
            author_id=customer.id,
            subtype_xmlid="mail.mt_comment",
        )
        self.assertEqual(lead.priority, "3")
        self.assertEqual(len(self.runs(received, lead)), 1)
        self.assertEqual(len(self.runs(sent, lead)), 1)

    def test_activity_done_fires_for_the_chosen_types(self):
        call = self.env.ref("mail.mail_activity_data_call")
        todo = self.env.ref("mail.mail_activity_data_todo")
        rule = self.make_rule(
            trigger="on_activity_done",
            activity_type_ids=[Command.set(call.ids)],
            actions=[self.set_priority("2")],
        )
        lead = self.LeadAsSalesman.create(
            {"name": "Call me", "user_id": self.salesman.id}
        )
        lead.activity_schedule(
            act_type_xmlid="mail.mail_activity_data_todo", user_id=self.salesman.id
        )
        lead.activity_ids.with_user(self.salesman).action_feedback(feedback="done")
        self.assertEqual(lead.priority, "0")
        lead.activity_schedule(activity_type_id=call.id, user_id=self.salesman.id)
        lead.activity_ids.with_user(self.salesman).action_feedback(feedback="Called")
        self.assertEqual(lead.priority, "2")
        self.assertEqual(len(self.runs(rule, lead)), 1)
        self.assertTrue(todo)

    def test_date_rule_schedules_a_job_at_the_date(self):
        rule = self.make_rule(
            trigger="on_date",
            date_field_id=self.field("date_deadline").id,
            date_offset=-1,
            date_offset_unit="days",
            actions=[self.set_priority("3")],
        )
        with self.trap_jobs() as trap:
            lead = self.LeadAsSalesman.create(
                {"name": "Closing soon", "date_deadline": "2099-01-10"}
            )
        job = trap.assert_enqueued(count=1, rule=rule, records=lead)
        # midnight of the day before, in the responsible's time zone
        local = pytz.utc.localize(job.eta).astimezone(rule._date_rule_tz())
        self.assertEqual(str(local.replace(tzinfo=None)), "2099-01-09 00:00:00")
        self.assertEqual(lead.priority, "0")
        trap.run(at=job.eta)
        self.assertEqual(lead.priority, "3")


@tagged("post_install", "-at_install")
class TestCriteria(WorkflowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.LeadAsSalesman = cls.Lead.with_user(cls.salesman)

    def test_first_matching_condition_wins_and_fallback_takes_the_rest(self):
        rule = self.make_rule(
            conditions=[
                {
                    "name": "Huge",
                    "domain": "[('expected_revenue', '>=', 100000)]",
                    "actions": [self.set_priority("3")],
                },
                {
                    "name": "Big",
                    "domain": "[('expected_revenue', '>=', 10000)]",
                    "actions": [self.set_priority("2")],
                },
                {
                    "name": "Others",
                    "is_fallback": True,
                    "sequence": 0,
                    "actions": [self.set_priority("1")],
                },
            ],
        )
        leads = self.LeadAsSalesman.create(
            [
                {"name": "Huge", "expected_revenue": 200000},
                {"name": "Big", "expected_revenue": 20000},
                {"name": "Small", "expected_revenue": 10},
            ]
        )
        self.assertEqual(leads.mapped("priority"), ["3", "2", "1"])
        runs = self.runs(rule, leads)
        by_lead = {run.res_id: run.condition_id.display_name for run in runs}
        self.assertEqual(
            [by_lead[lead.id] for lead in leads], ["Huge", "Big", "All other records"]
        )

    def test_ten_and_more_conditions_are_allowed(self):
        conditions = [
            {
                "name": f"Band {i}",
                "domain": f"[('expected_revenue', '>=', {1000 * (12 - i)})]",
                "actions": [self.field_update("color", str(i))],
            }
            for i in range(12)
        ]
        rule = self.make_rule(conditions=conditions)
        self.assertEqual(len(rule.condition_ids), 12)
        lead = self.LeadAsSalesman.create({"name": "Band", "expected_revenue": 1500})
        self.assertEqual(lead.color, 11)

    def test_every_time_fires_at_each_qualifying_edit(self):
        rule = self.make_rule(
            trigger="on_write",
            repeat_mode="every_time",
            domain="[('expected_revenue', '>', 1000)]",
            actions=[self.field_update("color", "1")],
        )
        lead = self.LeadAsSalesman.create({"name": "Deal"})
        lead.expected_revenue = 2000
        lead.expected_revenue = 3000
        self.assertEqual(len(self.runs(rule, lead)), 2)

    def test_first_match_fires_once_even_after_matching_again(self):
        rule = self.make_rule(
            trigger="on_create_or_write",
            repeat_mode="first_match",
            domain="[('expected_revenue', '>', 1000)]",
            actions=[self.field_update("color", "1")],
        )
        lead = self.LeadAsSalesman.create({"name": "Deal", "expected_revenue": 10})
        self.assertFalse(self.runs(rule, lead))
        lead.expected_revenue = 2000
        lead.expected_revenue = 3000
        lead.expected_revenue = 10
        lead.expected_revenue = 5000
        self.assertEqual(len(self.runs(rule, lead)), 1)

    def test_trigger_fields_fire_only_when_their_value_changes(self):
        rule = self.make_rule(
            trigger="on_write",
            trigger_field_ids=["stage_id"],
            actions=[self.field_update("color", "7")],
        )
        lead = self.LeadAsSalesman.create(
            {"name": "Moving", "stage_id": self.stage_new.id}
        )
        lead.write({"name": "Renamed"})
        lead.write({"stage_id": self.stage_new.id})  # same value: no change
        self.assertFalse(self.runs(rule, lead))
        lead.write({"stage_id": self.stage_qualified.id})
        self.assertEqual(lead.color, 7)
        self.assertEqual(len(self.runs(rule, lead)), 1)

    def test_trigger_on_relational_and_computed_fields(self):
        tag = self.env["crm.tag"].create({"name": "Hot (rule tests)"})
        on_tags = self.make_rule(
            "Tags",
            trigger="on_write",
            trigger_field_ids=["tag_ids"],
            actions=[self.field_update("color", "2")],
        )
        on_email = self.make_rule(
            "Normalized email",
            trigger="on_write",
            trigger_field_ids=["email_normalized"],
            actions=[self.set_priority("2")],
        )
        lead = self.LeadAsSalesman.create({"name": "Watch me"})
        lead.write({"tag_ids": [Command.link(tag.id)]})
        self.assertEqual(lead.color, 2)
        # email_normalized is computed from email_from: a write of email_from fires
        lead.write({"email_from": "Someone <SOMEONE@example.com>"})
        self.assertEqual(lead.email_normalized, "someone@example.com")
        self.assertEqual(lead.priority, "2")
        self.assertEqual(len(self.runs(on_tags, lead)), 1)
        self.assertEqual(len(self.runs(on_email, lead)), 1)

    def test_computed_field_changed_by_another_record_fires(self):
        """The lead's email follows its customer's: changing the contact's
        email changes the lead's, and a rule watching it runs."""
        rule = self.make_rule(
            trigger="on_write",
            trigger_field_ids=["email_from"],
            actions=[self.set_priority("3")],
        )
        customer = self.env["res.partner"].create(
            {"name": "Moving customer", "email": "old@example.com"}
        )
        lead = self.LeadAsSalesman.create(
            {"name": "Follows", "partner_id": customer.id}
        )
        self.assertEqual(lead.email_from, "old@example.com")
        self.assertFalse(self.runs(rule, lead))
        customer.with_user(self.salesman).email = "new@example.com"
        self.env.flush_all()
        lead.invalidate_recordset()
        self.assertEqual(lead.email_from, "new@example.com")
        self.assertEqual(lead.priority, "3")
        self.assertEqual(len(self.runs(rule, lead)), 1)

    def test_company_rule_ignores_other_companies_records(self):
        other = self.env["res.company"].create({"name": "Other Co (rules)"})
        rule = self.make_rule(company_id=other.id, actions=[self.set_priority("3")])
        lead = self.Lead.create({"name": "Ours", "company_id": self.company.id})
        self.assertEqual(lead.priority, "0")
        theirs = self.Lead.create({"name": "Theirs", "company_id": other.id})
        self.assertEqual(theirs.priority, "3")
        self.assertEqual(len(self.runs(rule)), 1)

    def test_archived_record_still_meets_criteria(self):
        rule = self.make_rule(trigger="on_write", actions=[self.set_priority("1")])
        lead = self.LeadAsSalesman.create({"name": "Archived"})
        lead.action_archive()
        self.assertEqual(lead.priority, "1")
        self.assertTrue(self.runs(rule, lead))


@tagged("post_install", "-at_install")
class TestErrorsAndLoops(WorkflowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.LeadAsSalesman = cls.Lead.with_user(cls.salesman)

    def failing_action(self):
        # a function written by a developer that refuses records named "Bad"
        return self.function_action(
            "for r in records:\n"
            "    if r.name == 'Bad':\n"
            "        raise UserError('bad lead')\n"
            "    r.write({'color': 9})\n"
        )

    def test_failing_rule_under_log_keeps_the_users_change(self):
        rule = self.make_rule(
            trigger="on_write",
            on_error="log",
            user_id=self.sales_manager.id,
            actions=[self.set_priority("2"), self.failing_action()],
        )
        good, bad = self.LeadAsSalesman.create([{"name": "Good"}, {"name": "Good too"}])
        (good | bad).write({"expected_revenue": 500})  # both fine
        bad.name = "Bad"
        self.assertEqual(bad.name, "Bad")  # the user's edit is kept
        self.assertEqual(bad.priority, "2")  # from the first, successful run
        failed = self.runs(rule, bad, state="failed")
        self.assertEqual(len(failed), 1)
        self.assertIn("bad lead", failed.error)
        self.assertEqual(rule.failure_streak, 1)
        notes = rule.message_ids.filtered(lambda m: "failed" in (m.body or ""))
        self.assertTrue(notes)
        self.assertIn(self.sales_manager.partner_id, notes[0].partner_ids)

    def test_one_bad_record_does_not_stop_the_batch(self):
        rule = self.make_rule(
            trigger="on_write", actions=[self.set_priority("3"), self.failing_action()]
        )
        leads = self.LeadAsSalesman.create([{"name": f"L{i}"} for i in range(5)])
        leads[2].name = "Bad"
        leads.invalidate_recordset()
        self.runs(rule).sudo().unlink()
        leads.write({"expected_revenue": 1})
        self.assertEqual(leads.mapped("color"), [9, 9, 0, 9, 9])
        # the bad record's actions were all rolled back, not half done
        self.assertEqual(leads.mapped("priority"), ["3", "3", "0", "3", "3"])
        self.assertEqual(len(self.runs(rule, leads, state="done")), 4)
        self.assertEqual(len(self.runs(rule, leads, state="failed")), 1)
        # the user's edit of every record is kept, the failing one included,
        # with what it recomputes, as the database holds it
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT expected_revenue, prorated_revenue, probability FROM crm_lead "
            "WHERE id = ANY(%s)",
            [leads.ids],
        )
        for revenue, prorated, probability in self.env.cr.fetchall():
            self.assertEqual(revenue, 1)
            self.assertAlmostEqual(prorated, revenue * probability / 100, places=2)

    def test_pending_edit_and_rule_update_are_one_row_update(self):
        """The batch's savepoint does not flush the user's edit apart: the
        edit and the rule's field update reach each row in one UPDATE."""
        self.make_rule(trigger="on_write", actions=[self.set_priority("3")])
        leads = self.LeadAsSalesman.create([{"name": f"U{i}"} for i in range(5)])
        self.env.flush_all()

        def updated():
            self.env.cr.execute(
                "SELECT n_tup_upd FROM pg_stat_xact_user_tables "
                "WHERE relname = 'crm_lead'"
            )
            return self.env.cr.fetchone()[0]

        before = updated()
        leads.write({"expected_revenue": 7})
        self.env.flush_all()
        self.assertEqual(updated() - before, len(leads))
        leads.invalidate_recordset()
        self.assertEqual(set(leads.mapped("priority")), {"3"})
        self.assertEqual(set(leads.mapped("expected_revenue")), {7})

    def row_updates(self):
        self.env.cr.execute(
            "SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'crm_lead'"
        )
        return self.env.cr.fetchone()[0]

    def test_watching_a_field_leaves_odoos_own_write_its_one_wide_read(self):
        """The hook reads the watched field's old value with the record's
        other fields, as Odoo's write and tracking then read them: a narrow
        read first left them a query per missing field."""
        for model in (
            "crm.workflow.rule",
            "crm.workflow.robot",
            "crm.workflow.trigger",
        ):
            self.env[model].search([]).write({"active": False})
        stages = self.env["crm.stage"].search([], limit=2)
        leads = self.LeadAsSalesman.create(
            [{"name": f"W{i}", "stage_id": stages[0].id} for i in range(20)]
        )
        self.env.flush_all()

        def queries_of_a_move(stage):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            leads.write({"stage_id": stage.id})
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        queries_of_a_move(stages[1])  # Odoo's own caches filled once
        bare = queries_of_a_move(stages[0])
        self.make_rule(
            trigger="on_write",
            trigger_field_ids=["stage_id"],
            domain="[('name', '=', 'nobody')]",
            actions=[self.set_priority("3")],
        )
        queries_of_a_move(stages[1])  # the rule's own fields read once
        hooked = queries_of_a_move(stages[0])
        # the hook's own: the rule (exists, fields) and its condition (ids,
        # fields), read again after invalidate_all, and the prefilter search;
        # the leads' old values came with Odoo's one read of them
        self.assertLessEqual(hooked - bare, 5, (bare, hooked))

    def test_rules_of_an_event_share_one_savepoint_and_one_update(self):
        """Two rules of one edit, both writing in the database only: one
        savepoint and one flush for both, so each row gets one UPDATE for the
        edit and both rules' field updates."""
        self.make_rule("Priority", trigger="on_write", actions=[self.set_priority("3")])
        self.make_rule(
            "Colour", trigger="on_write", actions=[self.field_update("color", "5")]
        )
        leads = self.LeadAsSalesman.create([{"name": f"S{i}"} for i in range(5)])
        self.env.flush_all()
        before = self.row_updates()
        leads.write({"expected_revenue": 8})
        self.env.flush_all()
        self.assertEqual(self.row_updates() - before, len(leads))
        leads.invalidate_recordset()
        self.assertEqual(set(leads.mapped("priority")), {"3"})
        self.assertEqual(set(leads.mapped("color")), {5})

    def test_rule_with_a_function_keeps_its_own_savepoint(self):
        """A function may call a web service: a replay could call it twice,
        so its rule is not put in the shared savepoint."""
        self.make_rule("Priority", trigger="on_write", actions=[self.set_priority("3")])
        self.make_rule("Code", trigger="on_write", actions=[self.failing_action()])
        leads = self.LeadAsSalesman.create([{"name": f"F{i}"} for i in range(3)])
        self.env.flush_all()
        before = self.row_updates()
        leads.write({"expected_revenue": 9})
        self.env.flush_all()
        self.assertEqual(self.row_updates() - before, 2 * len(leads))
        leads.invalidate_recordset()
        self.assertEqual(set(leads.mapped("color")), {9})

    def test_failure_in_a_later_rule_replays_the_rules_one_by_one(self):
        """The shared savepoint is rolled back and the rules run again, each
        in its own: the first rule's effects, the user's edit and the other
        records' effects are kept, and the log has one row per rule and
        record (none of the rolled-back attempt)."""
        first = self.make_rule(
            "Priority",
            trigger="on_write",
            trigger_field_ids=["expected_revenue"],
            actions=[self.set_priority("3")],
        )
        second = self.make_rule(
            "Colour",
            trigger="on_write",
            trigger_field_ids=["expected_revenue"],
            actions=[
                self.field_update(
                    "color",
                    False,
                    update_mode="expression",
                    update_expression="1 / 0 if record.name == 'Bad' else 4",
                )
            ],
        )
        leads = self.LeadAsSalesman.create(
            [{"name": "Good A"}, {"name": "Bad"}, {"name": "Good B"}]
        )
        good = leads.filtered(lambda lead: lead.name != "Bad")
        bad = leads - good
        self.env.flush_all()
        leads.write({"expected_revenue": 11})
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT name, priority, color, expected_revenue FROM crm_lead"
            " WHERE id = ANY(%s) ORDER BY id",
            [leads.ids],
        )
        self.assertEqual(
            self.env.cr.fetchall(),
            [("Good A", "3", 4, 11), ("Bad", "3", 0, 11), ("Good B", "3", 4, 11)],
        )
        self.assertEqual(len(self.runs(first, leads, state="done")), 3)
        self.assertEqual(len(self.runs(first, leads)), 3)
        self.assertEqual(
            self.runs(second, good, state="done").mapped("res_id"), good.ids[::-1]
        )
        failed = self.runs(second, leads, state="failed")
        self.assertEqual(failed.mapped("res_id"), bad.ids)
        self.assertIn("division by zero", failed.error)

    def test_failing_batch_keeps_pending_edit_of_a_single_record(self):
        rule = self.make_rule(trigger="on_write", actions=[self.failing_action()])
        lead = self.LeadAsSalesman.create({"name": "Bad"})
        self.env.flush_all()
        lead.write({"expected_revenue": 42})
        self.assertTrue(self.runs(rule, lead, state="failed"))
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT expected_revenue, color FROM crm_lead WHERE id = %s", [lead.id]
        )
        self.assertEqual(self.env.cr.fetchone(), (42, 0))

    def test_failing_rule_under_block_refuses_the_save(self):
        self.make_rule(
            "Strict rule",
            trigger="on_write",
            on_error="block",
            actions=[self.failing_action()],
        )
        lead = self.LeadAsSalesman.create({"name": "Fine"})
        with self.assertRaises(UserError) as caught:
            lead.write({"name": "Bad"})
        self.assertIn("Strict rule", str(caught.exception))
        lead.invalidate_recordset()
        self.assertEqual(lead.name, "Fine")

    def test_rule_does_not_fire_itself_again(self):
        rule = self.make_rule(
            trigger="on_write",
            trigger_field_ids=["color"],
            actions=[
                {
                    "action_type": "field_update",
                    "update_field_id": self.field("color").id,
                    "update_mode": "expression",
                    "update_expression": "record.color + 1",
                }
            ],
        )
        lead = self.LeadAsSalesman.create({"name": "Counter"})
        lead.color = 1
        self.assertEqual(lead.color, 2)
        self.assertEqual(len(self.runs(rule, lead)), 1)

    def test_chain_past_the_depth_limit_is_stopped_and_logged(self):
        self.env["ir.config_parameter"].set_param(
            "crm_workflow_automation.max_chain_depth", 2
        )
        first = self.make_rule(
            "First",
            trigger="on_write",
            trigger_field_ids=["description"],
            actions=[self.set_priority("1")],
        )
        second = self.make_rule(
            "Second",
            trigger="on_write",
            trigger_field_ids=["priority"],
            actions=[self.field_update("color", "5")],
        )
        third = self.make_rule(
            "Third",
            trigger="on_write",
            trigger_field_ids=["color"],
            actions=[self.field_update("referred", "third")],
        )
        lead = self.LeadAsSalesman.create({"name": "Chain"})
        lead.description = "<p>go</p>"
        self.assertEqual(lead.priority, "1")
        self.assertEqual(lead.color, 5)
        self.assertFalse(lead.referred)
        self.assertEqual(self.runs(first, lead).state, "done")
        self.assertEqual(self.runs(second, lead).state, "done")
        stopped = self.runs(third, lead)
        self.assertEqual(stopped.state, "loop_stopped")
        self.assertIn("First → Second → Third", stopped.error)
        self.assertEqual(stopped.depth, 2)

    def test_ping_pong_between_two_rules_terminates(self):
        self.make_rule(
            "Ping",
            trigger="on_write",
            trigger_field_ids=["priority"],
            actions=[
                {
                    "action_type": "field_update",
                    "update_field_id": self.field("color").id,
                    "update_mode": "expression",
                    "update_expression": "record.color + 1",
                }
            ],
        )
        self.make_rule(
            "Pong",
            trigger="on_write",
            trigger_field_ids=["color"],
            actions=[
                {
                    "action_type": "field_update",
                    "update_field_id": self.field("priority").id,
                    "update_mode": "expression",
                    "update_expression": "str((int(record.priority) + 1) % 4)",
                }
            ],
        )
        lead = self.LeadAsSalesman.create({"name": "Ping pong"})
        lead.priority = "1"
        # Ping (color 1) -> Pong (priority 2) -> Ping again is its own effect: stop
        self.assertEqual(lead.color, 1)
        self.assertEqual(lead.priority, "2")

    def test_batch_of_a_thousand_records_fires_for_each(self):
        rule = self.make_rule(
            trigger="on_write",
            trigger_field_ids=["stage_id"],
            conditions=[
                {
                    "domain": "[('expected_revenue', '>=', 500)]",
                    "actions": [self.set_priority("3")],
                },
                {"is_fallback": True, "actions": [self.set_priority("1")]},
            ],
        )
        leads = self.LeadAsSalesman.create(
            [
                {
                    "name": f"Bulk {i}",
                    "expected_revenue": i,
                    "stage_id": self.stage_new.id,
                }
                for i in range(1000)
            ]
        )
        leads.write({"stage_id": self.stage_qualified.id})
        self.assertEqual(leads.filtered(lambda lead: lead.priority == "3"), leads[500:])
        self.assertEqual(leads.filtered(lambda lead: lead.priority == "1"), leads[:500])
        self.assertEqual(len(self.runs(rule, leads, state="done")), 1000)

    def test_rule_changes_apply_at_once_without_registry_reload(self):
        registry = self.env.registry
        sequence = registry.registry_sequence
        rule = self.make_rule(trigger="on_write", actions=[self.set_priority("2")])
        lead = self.LeadAsSalesman.create({"name": "Live"})
        lead.name = "Live 2"
        self.assertEqual(lead.priority, "2")
        rule.active = False
        lead.priority = "0"
        lead.name = "Live 3"
        self.assertEqual(lead.priority, "0")
        rule.active = True
        lead.name = "Live 4"
        self.assertEqual(lead.priority, "2")
        self.assertFalse(registry.registry_invalidated)
        self.assertEqual(registry.registry_sequence, sequence)


@tagged("post_install", "-at_install")
class TestBadConfiguration(WorkflowCase):
    def assert_refused(self, fragment, func, *args, **kwargs):
        with self.assertRaises(ValidationError) as caught:
            func(*args, **kwargs)
        self.assertIn(fragment, str(caught.exception))

    def test_unparsable_criteria_are_refused(self):
        self.assert_refused("not valid", self.make_rule, domain="[('name', '=', ")

    def test_criteria_on_an_unknown_field_are_refused(self):
        self.assert_refused(
            "not valid", self.make_rule, domain="[('no_such_field', '=', 1)]"
        )

    def test_trigger_field_of_another_model_is_refused(self):
        partner_field = self.env["ir.model.fields"]._get("res.partner", "name")
        self.assert_refused(
            "does not belong",
            self.make_rule,
            trigger="on_write",
            trigger_field_ids=[Command.set(partner_field.ids)],
        )

    def test_update_of_a_field_of_another_model_is_refused(self):
        partner_field = self.env["ir.model.fields"]._get("res.partner", "name")
        self.assert_refused(
            "does not belong",
            self.make_rule,
            actions=[
                {
                    "action_type": "field_update",
                    "update_field_id": partner_field.id,
                    "update_value": "x",
                }
            ],
        )

    def test_expression_that_does_not_compile_is_refused(self):
        self.assert_refused(
            "does not compile",
            self.make_rule,
            actions=[
                {
                    "action_type": "field_update",
                    "update_field_id": self.field("color").id,
                    "update_mode": "expression",
                    "update_expression": "record.color +",
                }
            ],
        )

    def test_email_without_template_is_refused(self):
        self.assert_refused(
            "email template", self.make_rule, actions=[{"action_type": "email"}]
        )

    def test_move_to_a_stage_of_another_pipeline_is_refused(self):
        other_team = self.env["crm.team"].create({"name": "Other pipeline"})
        foreign_stage = self.env["crm.stage"].create(
            {"name": "Their stage", "team_id": other_team.id}
        )
        self.assert_refused(
            "another sales team",
            self.make_rule,
            domain=f"[('team_id', '=', {self.team.id})]",
            actions=[{"action_type": "set_stage", "target_stage_id": foreign_stage.id}],
        )

    def test_two_fallback_conditions_are_refused(self):
        self.assert_refused(
            "more than one",
            self.make_rule,
            conditions=[{"is_fallback": True}, {"is_fallback": True}],
        )

    def test_date_rule_without_date_field_is_refused(self):
        self.assert_refused("date field", self.make_rule, trigger="on_date")

    def test_messages_are_translated(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["crm_workflow_automation"], ["fr_FR"]
        )
        Rule = self.env["crm.workflow.rule"].with_context(lang="fr_FR")
        with self.assertRaises(ValidationError) as caught:
            Rule.create({"name": "Règle", "trigger": "on_date"})
        self.assertNotIn("choose the date field", str(caught.exception))
