# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Email, inbox notification and follower actions: what is queued or posted,
and to whom. Run as the salesperson who creates or edits a lead; the effect
is read back from the database."""

from odoo import Command
from odoo.tests import tagged

from .common import ActionCase


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
