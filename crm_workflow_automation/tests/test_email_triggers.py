# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Email follow-up triggers: "Email bounced" through Odoo's mail gateway,
and "Email not answered" as durable jobs that a reply cancels."""

from datetime import timedelta

from freezegun import freeze_time

from odoo.fields import Datetime
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import StageCase

# a delivery status notification as a mail server sends it back (RFC 3464),
# naming the original email by its Message-Id
BOUNCE = """Return-Path: <>
From: MAILER-DAEMON@mail.example.com (Mail Delivery System)
To: {sender}
Subject: Undelivered Mail Returned to Sender
Date: Mon, 07 Dec 2026 15:41:06 +0100
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
    boundary="BOUNDARY"
Message-Id: <{uid}@mail.example.com>

--BOUNDARY
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

<{recipient}>: 550 No such person at this address.

--BOUNDARY
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.com

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: failed
Status: 5.0.0
Diagnostic-Code: smtp; 550 No such person at this address.

--BOUNDARY
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: {sender}
To: {recipient}
Subject: Our offer
Message-Id: {message_id}

--BOUNDARY--
"""

REPLY = """From: {recipient}
To: {sender}
Subject: Re: Our offer
Date: Mon, 07 Dec 2026 16:00:00 +0100
Message-Id: <reply-{uid}@customer.example.com>
In-Reply-To: {message_id}
References: {message_id}
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Thank you, we will look at it.
"""


@tagged("post_install", "-at_install")
class TestEmailTriggers(StageCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {"name": "Carla Customer", "email": "carla@customer.example.com"}
        )
        cls.uid_count = 0

    def opportunity(self, **values):
        return self.new_lead(partner_id=self.customer.id, **values)

    def send_email(self, lead):
        """The salesperson emails the customer from the opportunity."""
        return lead.with_user(self.salesman).message_post(
            body="Here is our offer.",
            subject="Our offer",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=self.customer.ids,
        )

    def gateway(self, template, message):
        self.uid_count += 1
        raw = template.format(
            sender="sam@example.com",
            recipient=self.customer.email,
            message_id=message.message_id,
            uid=f"cwa-{self.uid_count}-{message.id}",
        )
        # fetched mail is processed with administrative rights
        self.env["mail.thread"].sudo().message_process(False, raw)

    def reply(self, lead, message):
        """The customer answers the email (it comes through the gateway)."""
        self.gateway(REPLY, message)
        self.assertEqual(
            lead.message_ids[:1].author_id, self.customer, "the reply is on the lead"
        )

    # -- email bounced ------------------------------------------------------

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_bounce_from_the_mail_gateway_runs_the_rule_once(self):
        rule = self.make_rule(trigger="on_email_bounced", actions=[self.set_priority()])
        lead, other = self.opportunity(), self.opportunity(name="Same customer")
        message = self.send_email(lead)
        self.gateway(BOUNCE, message)
        self.assertEqual(self.read_back(lead).priority, "3")
        runs = self.runs(rule)
        self.assertEqual(len(runs), 1, "one bounce, one run")
        self.assertEqual(runs.res_id, lead.id)
        self.assertEqual(
            self.read_back(other).priority, "0", "only the record of the bounced email"
        )

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_another_companys_bounce_rule_does_not_run(self):
        other_company = self.env["res.company"].create({"name": "Other Co (tests)"})
        rule = self.make_rule(
            trigger="on_email_bounced",
            company_id=other_company.id,
            actions=[self.set_priority()],
        )
        lead = self.opportunity()
        self.assertEqual(lead.company_id, self.env.company)
        self.gateway(BOUNCE, self.send_email(lead))
        self.assertEqual(self.read_back(lead).priority, "0")
        self.assertFalse(self.runs(rule))

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_bounce_trigger_moves_the_opportunity(self):
        self.trigger(self.s3, "email_bounced")
        lead = self.opportunity()
        self.gateway(BOUNCE, self.send_email(lead))
        self.assertEqual(self.read_back(lead).stage_id, self.s3)

    # -- email not answered -------------------------------------------------

    def not_answered_rule(self, **values):
        return self.make_rule(
            trigger="on_email_not_answered",
            no_reply_delay=4,
            no_reply_unit="hours",
            actions=[self.set_priority()],
            **values,
        )

    def test_email_without_reply_runs_the_rule_after_the_delay(self):
        rule = self.not_answered_rule()
        lead = self.opportunity()
        with self.trap_jobs() as trap:
            message = self.send_email(lead)
            job = trap.assert_enqueued(1, rule=rule, records=lead)
            self.assertEqual(job.eta, message.date + timedelta(hours=4))
            trap.run(at=message.date + timedelta(hours=3))
            self.assertEqual(self.read_back(lead).priority, "0", "not yet")
            trap.run(at=message.date + timedelta(hours=4, minutes=1))
        self.assertEqual(self.read_back(lead).priority, "3")
        self.assertEqual(job.state, "done")
        self.assertEqual(len(self.runs(rule, lead, state="done")), 1)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_reply_before_the_deadline_cancels_the_job(self):
        rule = self.not_answered_rule()
        lead = self.opportunity()
        with self.trap_jobs() as trap:
            message = self.send_email(lead)
            job = trap.assert_enqueued(1, rule=rule)
            self.reply(lead, message)
            self.assertEqual(job.state, "cancelled")
            trap.run_all()
        self.assertEqual(self.read_back(lead).priority, "0")
        self.assertFalse(self.runs(rule))

    def test_reply_missed_by_the_cancel_is_seen_when_the_job_runs(self):
        rule = self.not_answered_rule()
        lead = self.opportunity()
        with self.trap_jobs() as trap:
            message = self.send_email(lead)
            job = trap.assert_enqueued(1, rule=rule)
            # a reply posted while no rule listened (the rule was paused)
            self.env["mail.message"].sudo().create(
                {
                    "model": lead._name,
                    "res_id": lead.id,
                    "message_type": "email",
                    "subtype_id": self.env.ref("mail.mt_comment").id,
                    "author_id": self.customer.id,
                    "body": "Thanks!",
                }
            )
            trap.run(at=message.date + timedelta(hours=5))
        self.assertEqual(job.state, "cancelled")
        self.assertEqual(self.read_back(lead).priority, "0")

    def test_second_email_restarts_the_wait(self):
        rule = self.not_answered_rule()
        lead = self.opportunity()
        with self.trap_jobs() as trap:
            first = self.send_email(lead)
            with freeze_time(first.date + timedelta(hours=2)):
                second = self.send_email(lead)
            self.assertEqual(second.date, first.date + timedelta(hours=2))
            jobs = trap.assert_enqueued(2, rule=rule)
            self.assertEqual(jobs.mapped("state"), ["cancelled", "pending"])
            trap.run(at=first.date + timedelta(hours=4, minutes=1))
            self.assertEqual(self.read_back(lead).priority, "0", "waits for the 2nd")
            trap.run_all()
        self.assertEqual(self.read_back(lead).priority, "3")
        self.assertEqual(len(self.runs(rule, lead, state="done")), 1)

    def test_a_note_or_the_customer_email_does_not_start_a_wait(self):
        rule = self.not_answered_rule()
        lead = self.opportunity()
        with self.trap_jobs() as trap:
            lead.with_user(self.salesman).message_post(
                body="Internal note", subtype_xmlid="mail.mt_note"
            )
            lead.message_post(
                body="Hello",
                author_id=self.customer.id,
                message_type="email",
                subtype_xmlid="mail.mt_comment",
            )
            trap.assert_enqueued(0, rule=rule)

    def test_longer_delay_moves_the_waiting_job(self):
        rule = self.not_answered_rule()
        lead = self.opportunity()
        with self.trap_jobs() as trap:
            message = self.send_email(lead)
            rule.no_reply_unit = "days"
            job = trap.assert_enqueued(1, rule=rule)
            self.assertEqual(job.eta, message.date + timedelta(days=4))

    def test_not_answered_trigger_moves_the_opportunity(self):
        trigger = self.trigger(
            self.s2, "email_not_answered", no_reply_delay=1, no_reply_unit="days"
        )
        lead = self.opportunity()
        with self.trap_jobs() as trap:
            message = self.send_email(lead)
            job = trap.jobs.filtered(lambda j: j.trigger_id == trigger)
            self.assertEqual(len(job), 1)
            self.assertEqual(job.eta, message.date + timedelta(days=1))
            trap.run(at=Datetime.now() + timedelta(hours=23))
            self.assertEqual(self.read_back(lead).stage_id, self.s1)
            trap.run(at=message.date + timedelta(days=1, minutes=1))
        self.assertEqual(self.read_back(lead).stage_id, self.s2)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_reply_cancels_the_not_answered_trigger(self):
        trigger = self.trigger(self.s2, "email_not_answered", no_reply_delay=1)
        lead = self.opportunity()
        with self.trap_jobs() as trap:
            message = self.send_email(lead)
            self.reply(lead, message)
            job = trap.jobs.filtered(lambda j: j.trigger_id == trigger)
            self.assertEqual(job.state, "cancelled")
            trap.run_all()
        self.assertEqual(self.read_back(lead).stage_id, self.s1)

    # -- Why (not)?, test run, preview -------------------------------------

    def test_why_test_run_and_preview_tell_the_wait(self):
        rule = self.not_answered_rule()
        lead = self.opportunity()
        with self.trap_jobs():
            self.send_email(lead)
        Explain = self.env["crm.workflow.explain"]
        explain = Explain.browse(Explain.action_explain(lead._name, lead.id)["res_id"])
        step = explain.line_ids.filtered(
            lambda line: line.rule_id == rule and line.step == "trigger"
        )
        self.assertEqual(step.result, "yes")
        self.assertIn("waits for a reply until", step.detail)

        wizard = self.env["crm.workflow.test.run"].create(
            {"rule_id": rule.id, "res_id": lead.id}
        )
        wizard.action_run()
        details = "\n".join(wizard.line_ids.mapped("detail"))
        self.assertIn("no reply within 4 hours", details)
        self.assertIn("would run on", details)
        self.assertEqual(self.read_back(lead).priority, "0", "a test writes nothing")
        self.assertIn("would_run", wizard.line_ids.mapped("outcome"))

        preview = self.env["crm.workflow.preview"].create(
            {"rule_id": rule.id, "days": 1}
        )
        self.assertEqual(preview.scheduled_count, 1)
        self.assertIn(lead.name, preview.first_due_times)

    def test_email_of_a_rule_waits_for_a_reply_too(self):
        waiting = self.not_answered_rule()
        template = self.env["mail.template"].create(
            {
                "name": "Offer (tests)",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "subject": "Offer {{ object.name }}",
                "body_html": "<p>Our offer.</p>",
            }
        )
        self.make_rule(
            "Send the offer",
            trigger="on_create",
            actions=[
                {
                    "action_type": "email",
                    "mail_template_id": template.id,
                    "email_recipients": "customer",
                }
            ],
        )
        with self.trap_jobs() as trap:
            lead = self.opportunity()
            trap.assert_enqueued(1, rule=waiting, records=lead)
