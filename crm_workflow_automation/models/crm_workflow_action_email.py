# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import Command, fields, models


class CrmWorkflowAction(models.Model):
    _inherit = "crm.workflow.action"

    action_type = fields.Selection(
        selection_add=[("email", "Email Notification")],
        ondelete={"email": "cascade"},
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email template",
        ondelete="restrict",
        domain="[('model', '=', model_name)]",
    )
    email_recipients = fields.Selection(
        [
            ("customer", "The customer"),
            ("followers", "The followers"),
            ("owner", "The salesperson"),
            ("team_leader", "The team leader"),
            ("users", "Chosen users"),
            ("addresses", "Email addresses"),
        ],
        string="Send to",
        default="customer",
    )
    email_addresses = fields.Char(
        string="Addresses", help="Comma-separated email addresses."
    )
    email_attach_documents = fields.Boolean(
        string="Attach the documents created before",
        help="Attaches to each email the documents that earlier actions or "
        "automation rules of the same run created for its record (“Create "
        "Document”).",
    )

    def _check_email(self):
        if not self.mail_template_id:
            self._raise_config(self.env._("choose the email template to send."))
        if self.mail_template_id.model != self.model_name:
            self._raise_config(
                self.env._(
                    "the template “%(template)s” is made for another kind of record.",
                    template=self.mail_template_id.name,
                )
            )
        if self.email_recipients == "users" and not self.user_ids:
            self._raise_config(self.env._("choose the users who receive the email."))
        if self.email_recipients == "addresses":
            addresses = [
                a.strip() for a in (self.email_addresses or "").split(",") if a.strip()
            ]
            if not addresses or any("@" not in a for a in addresses):
                self._raise_config(
                    self.env._("enter valid email addresses, separated by commas.")
                )
        if self.email_recipients == "owner":
            self._check_record_field(
                "user_id", None, self.env._("these records have no salesperson.")
            )
        if self.email_recipients == "team_leader":
            self._check_record_field(
                "team_id", None, self.env._("these records have no sales team.")
            )

    def _email_recipient_groups(self, records):
        """{(partner ids, email_to): record ids}: records that share their
        recipients are sent in one batch of the mail queue."""
        mode = self.email_recipients
        sudo_records = records.sudo()
        groups = defaultdict(list)
        if mode == "customer":
            defaults = sudo_records._message_get_default_recipients()
            for record in sudo_records:
                rec = defaults.get(record.id, {})
                key = (
                    tuple(sorted(rec.get("partner_ids") or [])),
                    rec.get("email_to") or "",
                )
                groups[key].append(record.id)
        elif mode == "followers":
            for record in sudo_records:
                groups[(tuple(sorted(record.message_partner_ids.ids)), "")].append(
                    record.id
                )
        elif mode == "owner":
            for record in sudo_records:
                groups[(tuple(record.user_id.partner_id.ids), "")].append(record.id)
        elif mode == "team_leader":
            for record in sudo_records:
                groups[(tuple(record.team_id.user_id.partner_id.ids), "")].append(
                    record.id
                )
        elif mode == "users":
            groups[(tuple(sorted(self.user_ids.partner_id.ids)), "")] = records.ids
        elif mode == "addresses":
            groups[((), self.email_addresses or "")] = records.ids
        return groups

    def _run_email(self, records, run):
        """The template sees ``data``: what earlier robots of the same stage
        entry left (``{{ data.get('offer_no') }}``)."""
        template = self.mail_template_id.with_env(records.env).with_context(
            crm_workflow_data=dict(run.data) if run is not None else {}
        )
        for (partner_ids, email_to), record_ids in self._email_recipient_groups(
            records
        ).items():
            if not partner_ids and not email_to:
                continue  # nobody to write to (no customer, no leader): nothing to send
            mails = template.send_mail_batch(
                record_ids,
                email_values={
                    "recipient_ids": [Command.set(list(partner_ids))],
                    "email_to": email_to,
                    "email_cc": "",
                    "partner_ids": [],
                },
            )
            if self.email_attach_documents:
                self._attach_run_documents(mails, run)

    def _attach_run_documents(self, mails, run):
        """Added to each mail after the template's own attachments, which
        ``email_values`` would replace."""
        for mail in mails:
            documents = self._run_documents(run, mail.res_id)
            if documents:
                mail.attachment_ids = [Command.link(aid) for aid in documents]

    def _test_email(self, records, run):
        """The rendered subject and the recipients; nothing is sent."""
        template = self.mail_template_id.with_env(records.env)
        subjects = template._render_field("subject", records.ids)
        lines = []
        for (partner_ids, email_to), record_ids in self._email_recipient_groups(
            records
        ).items():
            partners = self.env["res.partner"].sudo().browse(partner_ids)
            recipients = [p.email_formatted or p.display_name for p in partners]
            recipients += [a.strip() for a in email_to.split(",") if a.strip()]
            for rid in record_ids:
                lines.append(
                    self.env._(
                        "Subject: %(subject)s\nTo: %(recipients)s",
                        subject=subjects.get(rid) or "",
                        recipients=", ".join(recipients)
                        or self.env._("nobody (nothing would be sent)"),
                    )
                )
        if self.email_attach_documents:
            lines.append(
                self.env._("With the documents that the actions before it create.")
            )
        return "\n".join(lines)

    def _effects_in_database_email(self):
        """The mails are queued rows: the mail cron sends them after the
        commit."""
        return True
