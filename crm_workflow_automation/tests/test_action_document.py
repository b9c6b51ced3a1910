# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The "Create document" action (Bitrix24's *Dokument erstellen*): a report of
the record attached to it, and handed to the email action after it, in a
rule and in a stage's automation rules, without a line of code. Odoo's test
mode renders PDF reports as HTML (no wkhtmltopdf call from the test worker),
so the files here are web pages; the name follows what was rendered."""

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import StageCase


@tagged("post_install", "-at_install")
class TestDocumentAction(StageCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.offer = cls.env.ref("crm_workflow_automation.crm_lead_offer_report")
        cls.offer_template = cls.env["mail.template"].create(
            {
                "name": "Your offer (tests)",
                "model_id": cls.env["ir.model"]._get_id("crm.lead"),
                "subject": "Offer {{ object.name }}",
                "body_html": "<p>Please find your offer attached.</p>",
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Carla Customer", "email": "carla@example.com"}
        )

    def document(self, **extra):
        return {
            "action_type": "document",
            "report_id": self.offer.id,
            "document_name": "Offer {{ object.name }}",
            **extra,
        }

    def send_offer(self, **extra):
        return {
            "action_type": "email",
            "mail_template_id": self.offer_template.id,
            "email_recipients": "customer",
            "email_attach_documents": True,
            **extra,
        }

    def attachments(self, lead):
        return self.env["ir.attachment"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)]
        )

    def mails(self, lead):
        return self.env["mail.mail"].search(
            [("model", "=", "crm.lead"), ("res_id", "=", lead.id)]
        )

    def test_rule_attaches_the_offer_and_the_next_action_emails_it(self):
        rule = self.make_rule(
            trigger="on_create",
            actions=[self.document(sequence=1), self.send_offer(sequence=2)],
        )
        lead = self.new_lead("Sofa Milano", partner_id=self.customer.id)
        attachment = self.attachments(lead)
        self.assertEqual(attachment.mapped("name"), ["Offer Sofa Milano.html"])
        self.assertIn(b"Sofa Milano", attachment.raw)
        self.assertEqual(self.runs(rule, lead, state="done").mapped("res_id"), lead.ids)
        mail = self.mails(lead)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.attachment_ids, attachment)
        self.assertIn(
            "carla@example.com",
            (mail.email_to or "") + ",".join(mail.recipient_ids.mapped("email")),
        )
        note = self.env.ref("mail.mt_note")
        notes = lead.message_ids.filtered(
            lambda m: attachment in m.attachment_ids and m.subtype_id == note
        )
        self.assertEqual(len(notes), 1, "a note in the chatter shows the document")

    def test_without_the_option_the_email_goes_without_the_document(self):
        self.make_rule(
            trigger="on_create",
            actions=[
                self.document(sequence=1),
                self.send_offer(sequence=2, email_attach_documents=False),
            ],
        )
        lead = self.new_lead("Chair", partner_id=self.customer.id)
        self.assertTrue(self.attachments(lead))
        self.assertFalse(self.mails(lead).attachment_ids)

    def test_robots_create_then_email_the_document_in_sequence(self):
        """The furniture store's *Prepare documents* stage, in its own
        pipeline: the email robot runs after the document robot, the second
        one delayed, so the document travels in its job's data."""
        create = self.robot(self.s2, **self.document(name="Offer"))
        send = self.robot(
            self.s2,
            **self.send_offer(
                name="Send",
                sequence=20,
                execution_mode="after_previous",
                timing="scheduled",
                delay_amount=30,
                delay_unit="minutes",
            ),
        )
        lead = self.new_lead("Table Oslo", partner_id=self.customer.id)
        with self.trap_jobs() as trap:
            self.move(lead, self.s2)
            self.assertEqual(self.robot_runs(create, lead).res_id, lead.id)
            attachment = self.attachments(lead)
            self.assertEqual(attachment.name, "Offer Table Oslo.html")
            self.assertFalse(self.mails(lead), "the email waits for its delay")
            trap.run_all()
        self.assertEqual(self.robot_runs(send, lead).res_id, lead.id)
        self.assertEqual(self.mails(lead).attachment_ids, attachment)

    def test_each_record_of_a_batch_gets_its_own_document(self):
        self.make_rule(
            trigger="on_create",
            actions=[self.document(sequence=1), self.send_offer(sequence=2)],
        )
        leads = self.Lead.with_user(self.salesman).create(
            [
                {"name": name, "partner_id": self.customer.id, "team_id": self.team.id}
                for name in ("Lamp", "Desk")
            ]
        )
        for lead in leads:
            attachment = self.attachments(lead)
            self.assertEqual(attachment.name, f"Offer {lead.name}.html")
            self.assertEqual(self.mails(lead).attachment_ids, attachment)

    def test_failing_report_keeps_the_edit_and_logs_the_failure(self):
        """A report whose template breaks on this record: the move is kept,
        the run log says why, no half-made document is left."""
        view = self.env["ir.ui.view"].create(
            {
                "name": "cwa_broken_offer",
                "type": "qweb",
                "key": "crm_workflow_automation.cwa_broken_offer",
                "arch": '<t t-name="crm_workflow_automation.cwa_broken_offer">'
                '<t t-foreach="docs" t-as="o"><p t-out="o.expected_revenue / 0"/>'
                "</t></t>",
            }
        )
        broken = self.env["ir.actions.report"].create(
            {
                "name": "Broken offer",
                "model": "crm.lead",
                "report_type": "qweb-pdf",
                "report_name": view.key,
            }
        )
        robot = self.robot(self.s2, action_type="document", report_id=broken.id)
        lead = self.new_lead("Wardrobe", expected_revenue=900)
        self.move(lead, self.s2)
        self.assertEqual(self.read_back(lead).stage_id, self.s2)
        failed = self.robot_runs(robot, lead, state="failed")
        self.assertEqual(len(failed), 1)
        self.assertIn("division by zero", failed.error)
        self.assertFalse(self.attachments(lead))

    def test_file_name_defaults_to_the_report_s_own(self):
        self.make_rule(
            trigger="on_create", actions=[self.document(document_name=False)]
        )
        lead = self.new_lead("Bed")
        self.assertEqual(self.attachments(lead).name, "Offer - Bed.html")

    def test_a_web_page_report_makes_an_html_document(self):
        html = self.offer.copy({"name": "Offer page", "report_type": "qweb-html"})
        action = self.make_rule(
            trigger="on_create",
            actions=[self.document(report_id=html.id, document_name="Page")],
        ).condition_ids.action_ids
        self.assertFalse(action.document_pdf_missing)
        lead = self.new_lead("Shelf")
        attachment = self.attachments(lead)
        self.assertEqual(
            (attachment.name, attachment.mimetype), ("Page.html", "text/html")
        )

    def test_the_form_says_when_pdf_cannot_be_made(self):
        """The warning follows the server's wkhtmltopdf, for PDF reports."""
        action = self.make_rule(actions=[self.document()]).condition_ids.action_ids
        state = self.env["ir.actions.report"].get_wkhtmltopdf_state()
        self.assertEqual(action.document_pdf_missing, state not in ("ok", "upgrade"))
        self.assertEqual(
            action._document_format(),
            "pdf" if state in ("ok", "upgrade") else "html",
        )

    def test_bad_configurations_are_refused_at_save(self):
        partner_report = self.offer.copy(
            {"name": "Partner card", "model": "res.partner"}
        )
        cases = [
            ({"report_id": False}, "choose the document template"),
            ({"report_id": partner_report.id}, "another kind of record"),
            ({"document_name": "Offer {{ object.name + }}"}, "not a valid expression"),
        ]
        for values, message in cases:
            with self.subTest(values=values), self.assertRaises(ValidationError) as e:
                self.make_rule(actions=[self.document(**values)])
            self.assertIn(message, str(e.exception))

    def test_test_run_names_the_file_and_makes_nothing(self):
        rule = self.make_rule(trigger="on_create", actions=[self.document()])
        action = rule.condition_ids.action_ids
        rule.active = False
        lead = self.new_lead("Mirror")
        text = action._test(lead, None)
        self.assertIn("Offer Mirror", text)
        self.assertIn(self.offer.name, text)
        self.assertFalse(self.attachments(lead))

    def test_the_demo_prepares_documents_without_a_function(self):
        offer = self.env.ref(
            "crm_workflow_automation.crm_workflow_robot_furniture_offer_demo"
        )
        send = self.env.ref(
            "crm_workflow_automation.crm_workflow_robot_furniture_send_offer_demo"
        )
        self.assertEqual((offer.action_type, send.action_type), ("document", "email"))
        self.assertTrue(send.email_attach_documents)
        self.assertFalse((offer | send).function_id)
