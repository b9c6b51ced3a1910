# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every action type, run as the salesperson who creates or edits a lead: the
effect is read back from the database (mails queued, tasks, values, jobs)."""

import logging
from datetime import timedelta
from unittest.mock import patch

import requests

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import WorkflowCase

FUNCTION_LOGGER = "odoo.addons.crm_workflow_automation.models.crm_workflow_function"


class ActionCase(WorkflowCase):
    """Leads of the test team created by the salesperson, rules built by the
    sales manager or a developer, and the records the actions point to."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.developer = new_test_user(
            cls.env,
            login="cwa_developer",
            name="Dana Developer",
            email="dana@example.com",
            groups="sales_team.group_sale_manager,base.group_system",
        )
        cls.other_team = cls.env["crm.team"].create(
            {"name": "Key Accounts (tests)", "user_id": cls.sales_manager.id}
        )
        cls.tag_hot = cls.env["crm.tag"].create({"name": "Hot (tests)"})
        cls.tag_cold = cls.env["crm.tag"].create({"name": "Cold (tests)"})
        cls.tag_vip = cls.env["crm.tag"].create({"name": "VIP (tests)"})
        cls.todo = cls.env.ref("mail.mail_activity_data_todo")
        cls.template = cls.env["mail.template"].create(
            {
                "name": "Lead welcome (tests)",
                "model_id": cls.env["ir.model"]._get_id("crm.lead"),
                "subject": "About {{ object.name }}",
                "body_html": "<p>Thank you, <t t-out='object.contact_name'/>.</p>",
            }
        )

    # -- builders --------------------------------------------------------

    def rule_as(self, user, actions, domain="[]", trigger="on_create", **values):
        """A one-condition rule saved by ``user`` (as it would be in the
        form), so that the group checks of the form apply."""
        watched = values.pop("trigger_fields", None)
        if watched:
            values["trigger_field_ids"] = [
                Command.set([self.field(name).id for name in watched])
            ]
        return self.Rule.with_user(user).create(
            {
                "name": values.pop("name", "Test rule"),
                "trigger": trigger,
                "condition_ids": [
                    Command.create(
                        {
                            "domain": domain,
                            "action_ids": [Command.create(a) for a in actions],
                        }
                    )
                ],
                **values,
            }
        )

    def new_lead(self, name="Lead", **values):
        """A lead of the test team, created by the salesperson."""
        vals = {
            "name": name,
            "type": "opportunity",
            "team_id": self.team.id,
            "stage_id": self.stage_new.id,
            **values,
        }
        return self.Lead.with_user(self.salesman).create(vals)

    def read_back(self, records):
        """The records as the database holds them, read as admin."""
        self.env.invalidate_all()
        return records.with_env(self.env)

    def assert_ran(self, rule, records, state="done"):
        """One run of ``rule`` in ``state`` per record."""
        runs = self.runs(rule=rule, records=records, state=state)
        self.assertEqual(len(runs), len(records), runs)
        return runs


@tagged("post_install", "-at_install")
class TestEmailAction(ActionCase):
    """Emails go to the mail queue with the recipients the action names; the
    cron sends them after commit, never the user's request."""

    def email_rule(self, recipients, **extra):
        return self.make_rule(
            name="Email rule",
            trigger="on_create",
            actions=[
                {
                    "action_type": "email",
                    "mail_template_id": self.template.id,
                    "email_recipients": recipients,
                    **extra,
                }
            ],
        )

    def queued_mails(self, lead):
        self.env.invalidate_all()
        return self.env["mail.mail"].search(
            [("model", "=", "crm.lead"), ("res_id", "=", lead.id)]
        )

    def assert_one_queued(self, lead):
        mail = self.queued_mails(lead)
        self.assertEqual(len(mail), 1, mail)
        self.assertEqual(mail.state, "outgoing", "queued, not sent in the request")
        self.assertEqual(mail.subject, f"About {lead.name}")
        return mail

    def test_new_lead_queues_welcome_email_to_customer_address(self):
        rule = self.email_rule("customer")
        lead = self.new_lead(
            "Website enquiry", contact_name="Carla", email_from="carla@example.com"
        )
        mail = self.assert_one_queued(lead)
        self.assertEqual(mail.email_to, "carla@example.com")
        self.assertFalse(mail.recipient_ids)
        self.assertIn("Thank you, Carla.", mail.body_html)
        self.assert_ran(rule, lead)

    def test_lead_without_customer_email_gets_no_email(self):
        rule = self.email_rule("customer")
        lead = self.new_lead("Walk-in, no address")
        self.assertFalse(self.queued_mails(lead))
        self.assert_ran(rule, lead)

    def test_salesperson_is_emailed_about_their_new_lead(self):
        self.email_rule("owner")
        lead = self.new_lead("For Sam", user_id=self.salesman.id)
        mail = self.assert_one_queued(lead)
        self.assertEqual(mail.recipient_ids, self.salesman.partner_id)
        self.assertFalse(mail.email_to)

    def test_team_leader_is_emailed_about_new_team_lead(self):
        self.email_rule("team_leader")
        lead = self.new_lead("For the leader")
        mail = self.assert_one_queued(lead)
        self.assertEqual(mail.recipient_ids, self.sales_manager.partner_id)

    def test_chosen_users_are_emailed(self):
        self.email_rule(
            "users", user_ids=[Command.set([self.sales_manager.id, self.salesman2.id])]
        )
        first, second = self.new_lead("One"), self.new_lead("Two")
        for lead in (first, second):
            mail = self.assert_one_queued(lead)
            self.assertEqual(
                mail.recipient_ids,
                self.sales_manager.partner_id | self.salesman2.partner_id,
            )

    def test_fixed_addresses_are_emailed(self):
        self.email_rule(
            "addresses", email_addresses="desk@example.com, boss@example.com"
        )
        lead = self.new_lead("To the desk")
        mail = self.assert_one_queued(lead)
        self.assertEqual(mail.email_to, "desk@example.com, boss@example.com")
        self.assertFalse(mail.recipient_ids)

    def test_followers_are_emailed_when_lead_is_qualified(self):
        self.make_rule(
            name="Qualified: tell the followers",
            trigger="on_write",
            trigger_field_ids=["stage_id"],
            domain=f"[('stage_id', '=', {self.stage_qualified.id})]",
            actions=[
                {
                    "action_type": "email",
                    "mail_template_id": self.template.id,
                    "email_recipients": "followers",
                }
            ],
        )
        lead = self.new_lead("Followed")
        fiona = self.env["res.partner"].create(
            {"name": "Fiona Follower", "email": "fiona@example.com"}
        )
        lead.sudo().message_subscribe(partner_ids=fiona.ids)
        self.assertFalse(self.queued_mails(lead))
        lead.write({"stage_id": self.stage_qualified.id})
        mail = self.assert_one_queued(lead)
        self.assertEqual(mail.recipient_ids, fiona | self.salesman.partner_id)
        self.assertEqual(mail.recipient_ids, self.read_back(lead).message_partner_ids)


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


@tagged("post_install", "-at_install")
class TestNotifyAndFollowersActions(ActionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.sales_manager | cls.salesman2).write({"notification_type": "inbox"})
        cls.watchers = cls.env["res.groups"].create(
            {
                "name": "Lead watchers (tests)",
                "users": [Command.set([cls.sales_manager.id, cls.salesman2.id])],
            }
        )

    def notify_rule(self, **extra):
        return self.make_rule(
            name="Big deal alert",
            trigger="on_create",
            actions=[
                {
                    "action_type": "notify",
                    "notify_message": "<p>A big deal came in.</p>",
                    **extra,
                }
            ],
        )

    def notifications(self, partners, **domain):
        self.env.invalidate_all()
        Message = self.env["mail.message"]
        messages = Message.search(
            [("message_type", "=", "user_notification")]
            + [(k, "=", v) for k, v in domain.items()]
        )
        notifs = self.env["mail.notification"].search(
            [("mail_message_id", "in", messages.ids)]
        )
        self.assertEqual(notifs.res_partner_id, partners)
        self.assertEqual(set(notifs.mapped("notification_type")), {"inbox"})
        return messages

    def test_chosen_users_get_inbox_notification(self):
        rule = self.notify_rule(user_ids=[Command.set(self.sales_manager.ids)])
        lead = self.new_lead("Big deal")
        message = self.notifications(
            self.sales_manager.partner_id, model="crm.lead", res_id=lead.id
        )
        self.assertEqual(len(message), 1)
        self.assertEqual(message.subject, "Big deal alert")
        self.assertIn("A big deal came in.", message.body)
        self.assertEqual(message.author_id, self.salesman.partner_id)
        self.assert_ran(rule, lead)

    def test_group_members_get_inbox_notification(self):
        self.notify_rule(notify_group_id=self.watchers.id)
        lead = self.new_lead("Watched deal")
        message = self.notifications(
            (self.sales_manager | self.salesman2).partner_id,
            model="crm.lead",
            res_id=lead.id,
        )
        self.assertEqual(len(message), 1)

    def test_batch_of_21_leads_gives_one_summary_notification(self):
        rule = self.notify_rule(user_ids=[Command.set(self.sales_manager.ids)])
        leads = self.Lead.with_user(self.salesman).create(
            [{"name": f"Imported {n:02d}", "team_id": self.team.id} for n in range(21)]
        )
        self.env.invalidate_all()
        per_lead = self.env["mail.message"].search(
            [
                ("message_type", "=", "user_notification"),
                ("model", "=", "crm.lead"),
                ("res_id", "in", leads.ids),
            ]
        )
        self.assertFalse(per_lead, "no inbox entry per lead")
        summary = self.notifications(
            self.sales_manager.partner_id, subject="Big deal alert"
        )
        self.assertEqual(len(summary), 1)
        self.assertIn("21 record(s):", summary.body)
        self.assertIn("and 1 more.", summary.body)
        self.assertIn(f"/odoo/crm.lead/{leads[0].id}", summary.body)
        self.assertNotIn(f"/odoo/crm.lead/{leads[20].id}", summary.body)
        self.assert_ran(rule, leads)

    def test_partners_follow_new_lead(self):
        fiona = self.env["res.partner"].create(
            {"name": "Fiona Follower", "email": "fiona@example.com"}
        )
        rule = self.make_rule(
            trigger="on_create",
            actions=[
                {
                    "action_type": "add_followers",
                    "partner_ids": [
                        Command.set([fiona.id, self.sales_manager.partner_id.id])
                    ],
                }
            ],
        )
        lead = self.read_back(self.new_lead("Followed deal"))
        self.assertEqual(
            lead.message_partner_ids,
            fiona | self.sales_manager.partner_id | self.salesman.partner_id,
        )
        self.assert_ran(rule, lead)


@tagged("post_install", "-at_install")
class TestCodeActions(ActionCase):
    """Server actions and functions run with the rights of the user who
    triggered the rule."""

    def test_server_action_runs_as_the_salesman(self):
        server_action = self.env["ir.actions.server"].create(
            {
                "name": "Stamp the lead (tests)",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "state": "code",
                "code": "records.write({'referred': 'stamped by ' + env.user.login})",
            }
        )
        rule = self.make_rule(
            trigger="on_create",
            actions=[
                {"action_type": "server_action", "server_action_id": server_action.id}
            ],
        )
        leads = self.Lead.with_user(self.salesman).create(
            [{"name": name, "team_id": self.team.id} for name in ("One", "Two")]
        )
        self.assertEqual(
            self.read_back(leads).mapped("referred"), ["stamped by cwa_salesman"] * 2
        )
        self.assert_ran(rule, leads)

    def test_function_shares_data_between_steps_and_logs(self):
        first = self.function_action(
            "log('stamping %s lead(s)' % len(records))\nresult = {'by': env.user.name}",
            sequence=1,
        )
        second = self.function_action(
            "for rec in records:\n"
            "    rec.write({'referred': rec.name + ' via ' + data['by']})",
            sequence=2,
        )
        rule = self.rule_as(self.developer, [first, second], name="Stamp")
        # logging.INFO: Odoo renames level 25 "INFO", so the string would miss it
        with self.assertLogs(FUNCTION_LOGGER, logging.INFO) as logs:
            lead = self.new_lead("Fn lead")
        self.assertEqual(self.read_back(lead).referred, "Fn lead via Sam Salesman")
        self.assertIn("stamping 1 lead(s)", "\n".join(logs.output))
        self.assert_ran(rule, lead)
        calls = (
            self.env["crm.workflow.run"]
            .sudo()
            .search(
                [("function_id", "!=", False), ("res_id", "=", lead.id)], order="id"
            )
        )
        self.assertEqual(calls.mapped("caller"), ["rule", "rule"])
        self.assertEqual(calls.action_id.rule_id, rule)
        self.assertEqual(calls.user_id, self.salesman)

    def test_function_error_is_logged_and_lead_kept(self):
        rule = self.rule_as(
            self.developer,
            [self.function_action("raise UserError('No deals on Sundays')")],
        )
        lead = self.read_back(self.new_lead("Sunday deal"))
        self.assertTrue(lead.exists())
        failed = self.assert_ran(rule, lead, state="failed")
        self.assertIn("No deals on Sundays", failed.error)
        call = (
            self.env["crm.workflow.run"]
            .sudo()
            .search([("function_id", "!=", False), ("res_id", "=", lead.id)])
        )
        self.assertEqual(call.state, "failed", "the failed call stays in the log")


@tagged("post_install", "-at_install")
class TestWebhookAction(ActionCase):
    def test_webhook_is_queued_not_sent_inside_the_transaction(self):
        self.env["ir.config_parameter"].set_param(
            "crm_workflow_automation.webhook_allowed_hosts", "127.0.0.1"
        )
        rule = self.make_rule(
            name="Push to ERP",
            trigger="on_create",
            actions=[
                {
                    "action_type": "webhook",
                    "name": "ERP hook",
                    "webhook_url": "http://127.0.0.1:9/hooks/leads",
                    "webhook_field_ids": [
                        Command.set(
                            [
                                self.field("name").id,
                                self.field("email_from").id,
                                self.field("expected_revenue").id,
                            ]
                        )
                    ],
                }
            ],
        )
        action = rule.action_ids
        no_send = AssertionError("HTTP sent inside the user's transaction")
        with (
            self.trap_jobs() as trap,
            patch.object(requests.Session, "send", side_effect=no_send) as send,
        ):
            lead = self.new_lead(
                "Hooked", email_from="hook@example.com", expected_revenue=5000
            )
        send.assert_not_called()
        job = trap.assert_enqueued(count=1, action=action, records=lead)
        self.assertEqual(job.state, "pending")
        self.assertEqual(job.attempts, 0)
        self.assertFalse(job.attempt_ids)
        self.assertLessEqual(job.eta, fields.Datetime.now())
        self.assertEqual(job.user_id, self.salesman)
        payload = job.payload
        self.assertEqual(
            payload["data"],
            {
                "name": "Hooked",
                "email_from": "hook@example.com",
                "expected_revenue": 5000.0,
            },
        )
        self.assertEqual(payload["model"], "crm.lead")
        self.assertEqual(payload["id"], lead.id)
        self.assertEqual(payload["rule"], "Push to ERP")
        self.assertEqual(payload["action"], "ERP hook")
        self.assertEqual(payload["trigger"], "create")
        self.assert_ran(rule, lead)


@tagged("post_install", "-at_install")
class TestConfigurationChecks(ActionCase):
    """A bad action is refused when it is saved, with a message that names
    the action, the rule and the problem."""

    def assert_refused(self, problem, action, user=None, **rule_values):
        rule_values.setdefault("name", "Bad rule")
        with self.assertRaises(ValidationError) as caught:
            self.rule_as(user or self.sales_manager, [action], **rule_values)
        message = str(caught.exception)
        self.assertIn("of rule “Bad rule”", message)
        self.assertIn(problem, message)

    def test_email_without_template_or_recipients_is_refused(self):
        partner_template = self.env["mail.template"].create(
            {
                "name": "Partner greeting (tests)",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "subject": "Hi",
            }
        )
        email = {"action_type": "email", "mail_template_id": self.template.id}
        self.assert_refused(
            "choose the email template to send.", dict(email, mail_template_id=False)
        )
        self.assert_refused(
            "the template “Partner greeting (tests)” is made for another kind",
            dict(email, mail_template_id=partner_template.id),
        )
        self.assert_refused(
            "choose the users who receive the email.",
            dict(email, email_recipients="users"),
        )
        for addresses in (False, "desk@example.com, not-an-address"):
            self.assert_refused(
                "enter valid email addresses, separated by commas.",
                dict(email, email_recipients="addresses", email_addresses=addresses),
            )

    def test_task_without_type_or_user_is_refused(self):
        task = {"action_type": "activity", "activity_type_id": self.todo.id}
        self.assert_refused(
            "choose the activity type of the task.", dict(task, activity_type_id=False)
        )
        self.assert_refused(
            "choose the user who gets the task.", dict(task, activity_user_type="user")
        )
        self.assert_refused(
            "choose the user field of the record.",
            dict(task, activity_user_type="field"),
        )
        self.assert_refused(
            "the field “Salesperson” does not belong to Lead/Opportunity.",
            dict(
                task,
                activity_user_type="field",
                activity_user_field_id=self.field("user_id", "res.partner").id,
            ),
        )

    def test_field_update_of_wrong_field_or_value_is_refused(self):
        self.assert_refused(
            "choose the field to update.", {"action_type": "field_update"}
        )
        self.assert_refused(
            "the field “Email” does not belong to Lead/Opportunity.",
            {
                "action_type": "field_update",
                "update_field_id": self.field("email", "res.partner").id,
                "update_value": "a@b.example",
            },
        )
        self.assert_refused(
            "one-to-many fields cannot be updated by a rule.",
            self.field_update("activity_ids", False),
        )
        self.assert_refused(
            "“blue” is not a number.", self.field_update("color", "blue")
        )
        self.assert_refused(
            "“9” is not an option of this field.", self.field_update("priority", "9")
        )
        self.assert_refused(
            "choose a record of “CRM Tag” as the new value.",
            self.field_update("tag_ids", False, update_m2m_operation="add"),
        )
        self.assert_refused(
            "choose a record of “UTM Source” as the new value.",
            self.field_update(
                "source_id", False, update_record_ref=f"crm.tag,{self.tag_hot.id}"
            ),
        )

    def test_expression_that_does_not_compile_is_refused(self):
        def expression(code):
            return self.field_update(
                "referred", False, update_mode="expression", update_expression=code
            )

        self.assert_refused(
            "enter the expression that computes the new value.",
            expression("  "),
            user=self.developer,
        )
        self.assert_refused(
            "the expression does not compile",
            expression("record.name +"),
            user=self.developer,
        )
        self.assert_refused(
            "the expression does not compile",
            expression("record.__class__"),
            user=self.developer,
        )

    def test_function_action_needs_a_function_and_its_required_arguments(self):
        self.assert_refused("choose the function to call.", {"action_type": "function"})
        function = self.env["crm.workflow.function"].create(
            {
                "name": "Needs a source (tests)",
                "api_name": "needs_source",
                "code": "result = args['source']",
                "argument_ids": [
                    Command.create(
                        {"name": "source", "arg_type": "char", "required": True}
                    ),
                    Command.create({"name": "times", "arg_type": "integer"}),
                ],
            }
        )
        source, times = function.argument_ids
        call = {"action_type": "function", "function_id": function.id}
        self.assert_refused("give a value to the argument “source”.", call)
        self.assert_refused(
            "“two” is not a valid value of type Integer",
            dict(
                call,
                function_argument_ids=[
                    Command.create({"argument_id": source.id, "value": "web"}),
                    Command.create({"argument_id": times.id, "value": "two"}),
                ],
            ),
        )
        partner_function = self.env["crm.workflow.function"].create(
            {
                "name": "On partners (tests)",
                "api_name": "on_partners",
                "code": "result = 1",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
            }
        )
        self.assert_refused(
            "works on another kind of record",
            {"action_type": "function", "function_id": partner_function.id},
        )

    def test_webhook_with_bad_url_headers_or_internal_host_is_refused(self):
        hook = {"action_type": "webhook", "webhook_url": "https://127.0.0.1/hook"}
        self.env["ir.config_parameter"].set_param(
            "crm_workflow_automation.webhook_allowed_hosts", "hooks.example.test"
        )
        self.assert_refused(
            "the webhook URL must start with http:// or https://.",
            dict(hook, webhook_url="ftp://hooks.example.test/leads"),
        )
        self.assert_refused(
            "the extra headers are not valid JSON",
            dict(hook, webhook_url="https://hooks.example.test/x", webhook_headers="{"),
        )
        self.assert_refused(
            "the extra headers must be a JSON object of header names and string values",
            dict(
                hook,
                webhook_url="https://hooks.example.test/x",
                webhook_headers='{"X-Retries": 3}',
            ),
        )
        self.assert_refused(
            "the URL points to an internal address (127.0.0.1); ask a Settings "
            "administrator to allow the host “127.0.0.1”.",
            hook,
        )
        self.assert_refused(
            "does not belong to Lead/Opportunity.",
            dict(
                hook,
                webhook_url="https://hooks.example.test/x",
                webhook_field_ids=[
                    Command.set([self.field("email", "res.partner").id])
                ],
            ),
        )

    def test_owner_tags_stage_without_choice_are_refused(self):
        self.assert_refused("choose the salesperson.", {"action_type": "assign_owner"})
        for action_type in ("add_tags", "remove_tags"):
            self.assert_refused("choose the tags.", {"action_type": action_type})
        self.assert_refused("choose the stage.", {"action_type": "set_stage"})

    def test_crm_actions_on_records_without_crm_fields_are_refused(self):
        """Contacts have a salesperson but no team, tags or stage; blacklist
        entries have none of them."""
        partner = {"model_id": self.env["ir.model"]._get_id("res.partner")}
        blacklist = {"model_id": self.env["ir.model"]._get_id("mail.blacklist")}
        template = self.env["mail.template"].create(
            {"name": "Blacklist (tests)", "model_id": blacklist["model_id"]}
        )
        email = {"action_type": "email", "mail_template_id": template.id}
        no_owner = "these records have no salesperson."
        self.assert_refused(
            no_owner, dict(email, email_recipients="owner"), **blacklist
        )
        self.assert_refused(
            no_owner,
            {"action_type": "activity", "activity_type_id": self.todo.id},
            **blacklist,
        )
        self.assert_refused(
            no_owner,
            {"action_type": "assign_owner", "assign_user_id": self.salesman.id},
            **blacklist,
        )
        no_team = "these records have no sales team."
        self.assert_refused(
            no_team,
            {"action_type": "assign_owner", "assign_mode": "round_robin"},
            **partner,
        )
        partner_template = self.env["mail.template"].create(
            {"name": "Partner (tests)", "model_id": partner["model_id"]}
        )
        self.assert_refused(
            no_team,
            dict(
                email,
                mail_template_id=partner_template.id,
                email_recipients="team_leader",
            ),
            **partner,
        )
        self.assert_refused(
            "these records have no CRM tags.",
            {"action_type": "add_tags", "tag_ids": [Command.set(self.tag_hot.ids)]},
            **partner,
        )
        self.assert_refused(
            "these records have no CRM stage.",
            {"action_type": "set_stage", "target_stage_id": self.stage_qualified.id},
            **partner,
        )

    def test_rule_on_deleted_leads_refuses_actions_on_the_lead(self):
        self.assert_refused(
            "a rule on deleted records can only notify users, call a webhook",
            {"action_type": "set_stage", "target_stage_id": self.stage_won.id},
            trigger="on_unlink",
        )

    def test_convert_on_contacts_is_refused(self):
        self.assert_refused(
            "only leads can be converted to opportunities.",
            {"action_type": "convert"},
            model_id=self.env["ir.model"]._get_id("res.partner"),
        )

    def test_notify_and_followers_without_recipients_are_refused(self):
        self.assert_refused(
            "choose the users or the group to notify.", {"action_type": "notify"}
        )
        self.assert_refused(
            "choose the followers to add.", {"action_type": "add_followers"}
        )

    def test_server_action_missing_or_of_another_model_is_refused(self):
        partner_action = self.env["ir.actions.server"].create(
            {
                "name": "Partner code (tests)",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "state": "code",
                "code": "pass",
            }
        )
        self.assert_refused(
            "choose the server action to run.", {"action_type": "server_action"}
        )
        self.assert_refused(
            "the server action “Partner code (tests)” is made for another kind",
            {"action_type": "server_action", "server_action_id": partner_action.id},
        )

    def test_scheduled_action_with_bad_delay_is_refused(self):
        later = dict(self.set_priority("2"), timing="scheduled")
        self.assert_refused(
            "a delay after the trigger cannot be negative.",
            dict(later, delay_amount=-2),
        )
        self.assert_refused(
            "choose the date field the delay counts from.",
            dict(later, delay_anchor="date_field"),
        )
        self.assert_refused(
            "the time of day must be between 0:00 and 23:59.",
            dict(later, delay_at_time=True, delay_time_of_day=25),
        )
