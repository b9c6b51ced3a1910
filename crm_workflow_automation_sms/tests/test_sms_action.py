# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The SMS action: messages in Odoo's SMS queue (nothing leaves the machine:
the queue is checked, the SMS cron is not run)."""

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.crm_workflow_automation.tests.common import WorkflowCase


@tagged("post_install", "-at_install")
class TestSmsAction(WorkflowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.SMS = cls.env["sms.sms"].sudo()
        cls.template = cls.env["sms.template"].create(
            {
                "name": "Order ready (tests)",
                "model_id": cls.env["ir.model"]._get_id("crm.lead"),
                "body": "Hello {{ object.contact_name }}, your order is ready.",
            }
        )
        cls.LeadAsSalesman = cls.Lead.with_user(cls.salesman)

    def new_sms(self, before):
        return self.SMS.search([("id", ">", before)], order="id")

    def last_sms_id(self):
        return self.SMS.search([], order="id desc", limit=1).id or 0

    def test_a_batch_of_leads_gets_one_queued_sms_each_from_a_template(self):
        """Fifty new leads, one SMS each in the queue, to each lead's mobile,
        rendered from the template, and a note on each lead."""
        self.make_rule(
            trigger="on_create",
            actions=[{"action_type": "sms", "sms_template_id": self.template.id}],
        )
        before = self.last_sms_id()
        leads = self.LeadAsSalesman.create(
            [
                {
                    "name": f"Sofa {n}",
                    "contact_name": f"Customer {n}",
                    "mobile": f"+32 470 12 {n:02d} 00",
                }
                for n in range(50)
            ]
        )
        sms = self.new_sms(before)
        self.assertEqual(len(sms), 50)
        self.assertEqual(set(sms.mapped("state")), {"outgoing"})
        self.assertEqual(sms[0].number, "+32470120000")
        self.assertEqual(sms[0].body, "Hello Customer 0, your order is ready.")
        self.assertEqual(sms[49].body, "Hello Customer 49, your order is ready.")
        self.assertEqual(
            sorted(self.runs(records=leads, state="done").mapped("res_id")), leads.ids
        )
        note = leads[0].message_ids.filtered(lambda m: m.message_type == "sms")
        self.assertEqual(len(note), 1)

    def test_a_text_with_placeholders_goes_to_the_phone_when_there_is_no_mobile(self):
        self.make_rule(
            trigger="on_create",
            actions=[
                {
                    "action_type": "sms",
                    "sms_mode": "text",
                    "sms_body": "{{ object.name }}: {{ object.user_id.name }} calls",
                }
            ],
        )
        before = self.last_sms_id()
        self.LeadAsSalesman.create(
            {
                "name": "Wardrobe",
                "phone": "+32 2 555 12 34",
                "user_id": self.salesman.id,
            }
        )
        sms = self.new_sms(before)
        self.assertEqual(sms.number, "+3225551234")
        self.assertEqual(sms.body, "Wardrobe: Sam Salesman calls")
        self.assertEqual(sms.state, "outgoing")

    def test_a_lead_without_a_number_gets_a_cancelled_sms_saying_so(self):
        self.make_rule(
            trigger="on_create",
            actions=[{"action_type": "sms", "sms_template_id": self.template.id}],
        )
        before = self.last_sms_id()
        lead = self.LeadAsSalesman.create({"name": "No phone"})
        sms = self.new_sms(before)
        self.assertEqual(sms.state, "canceled")
        self.assertEqual(sms.failure_type, "sms_number_missing")
        self.assertEqual(self.runs(records=lead).state, "done")

    def test_a_scheduled_sms_waits_in_a_job_then_is_queued(self):
        self.make_rule(
            trigger="on_create",
            actions=[
                {
                    "action_type": "sms",
                    "sms_template_id": self.template.id,
                    "timing": "scheduled",
                    "delay_amount": 2,
                    "delay_unit": "days",
                }
            ],
        )
        before = self.last_sms_id()
        with self.trap_jobs() as trap:
            self.LeadAsSalesman.create({"name": "Later", "mobile": "+32 470 99 99 99"})
            trap.assert_enqueued(count=1)
            self.assertFalse(self.new_sms(before))
            trap.run_all()
        self.assertEqual(self.new_sms(before).number, "+32470999999")

    def test_a_bad_sms_action_is_refused_at_save(self):
        other = self.env["sms.template"].create(
            {
                "name": "Partner SMS (tests)",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "body": "Hi",
            }
        )
        cases = [
            ("choose the SMS template.", {"action_type": "sms"}),
            (
                "is made for another kind of record",
                {"action_type": "sms", "sms_template_id": other.id},
            ),
            (
                "enter the text of the SMS.",
                {"action_type": "sms", "sms_mode": "text", "sms_body": "  "},
            ),
            (
                "can only show fields",
                {
                    "action_type": "sms",
                    "sms_mode": "text",
                    "sms_body": "{{ object.env['res.users'].search([]) }}",
                },
            ),
        ]
        for message, values in cases:
            with (
                self.subTest(message),
                self.assertRaisesRegex(ValidationError, message),
            ):
                self.make_rule(actions=[values])

    def test_an_sms_that_cannot_be_rendered_fails_alone_and_keeps_the_lead(self):
        """A text that the salesman may not render (written behind the save
        checks) fails the action: the lead is saved, the run says it failed."""
        self.make_rule(
            trigger="on_create",
            actions=[
                {
                    "action_type": "sms",
                    "sms_mode": "text",
                    "sms_body": "{{ object.name }}",
                }
            ],
        )
        action = self.Rule.search([("name", "=", "Test rule")]).action_ids
        # an unsafe text written behind the checks (as SQL would)
        self.env.cr.execute(
            "UPDATE crm_workflow_action SET sms_body = %s WHERE id = %s",
            ['{"en_US": "{{ object.env.cr.rollback() }}"}', action.id],
        )
        action.invalidate_recordset()
        lead = self.LeadAsSalesman.create(
            {"name": "Kept", "mobile": "+32 470 11 11 11"}
        )
        self.assertTrue(lead.exists())
        self.assertEqual(self.runs(records=lead).state, "failed")

    def test_test_run_shows_the_number_and_text_and_queues_nothing(self):
        """The SMS type shows its effect in a test run by its own hook."""
        rule = self.make_rule(
            trigger="on_create",
            active=False,
            actions=[{"action_type": "sms", "sms_template_id": self.template.id}],
        )
        lead = self.Lead.create(
            {"name": "Sofa", "contact_name": "Ann", "mobile": "+32 470 12 34 56"}
        )
        before = self.last_sms_id()
        wizard = self.env["crm.workflow.test.run"].create(
            {"rule_id": rule.id, "res_id": lead.id}
        )
        wizard.action_run()
        self.assertFalse(self.new_sms(before))
        line = wizard.line_ids.filtered("action_id")
        self.assertEqual(line.outcome, "would_run")
        self.assertIn("To: +32470123456", line.detail)
        self.assertIn("Hello Ann, your order is ready.", line.detail)
