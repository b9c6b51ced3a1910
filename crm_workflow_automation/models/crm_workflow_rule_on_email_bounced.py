# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Trigger type "Email bounced": an email sent from the record came back
undelivered. Odoo's mail gateway tells the bounce (``_routing_handle_bounce``)
and names the bounced message: its record is the rule's record."""

from odoo import api, fields, models


class CrmWorkflowRule(models.Model):
    _inherit = "crm.workflow.rule"

    trigger = fields.Selection(
        selection_add=[("on_email_bounced", "Email bounced")],
        ondelete={"on_email_bounced": "cascade"},
    )

    @api.model
    def _trigger_events_on_email_bounced(self):
        return ("email_bounced",)

    @api.model
    def _trigger_event_labels_on_email_bounced(self):
        return {"email_bounced": self.env._("Email bounced")}

    @api.model
    def _trigger_icon_on_email_bounced(self):
        return "fa-exclamation-triangle"

    def _trigger_explain_on_email_bounced(self, explain, record, event, label):
        return explain._kind_match(event, ("email_bounced",), label)

    def _trigger_test_on_email_bounced(self, wizard, records, lines):
        lines.append(
            wizard._line(
                "info",
                self.env._(
                    "The test run acts as if an email sent from the record had bounced."
                ),
            )
        )
        return "email_bounced"


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def _routing_handle_bounce(self, email_message, message_dict):
        """One event per bounce, for the record of the bounced message only
        (Odoo also counts the bounce on every record with the same address)."""
        res = super()._routing_handle_bounce(email_message, message_dict)
        message = message_dict.get("bounced_message")
        if not message_dict.get("bounced_email") or not message:
            return res
        message = message.sudo()[:1]
        model, res_id = message.model, message.res_id
        engine = self.env["crm.workflow.engine"]
        if not (model and res_id and model in self.env):
            return res
        if not engine._listens("email_bounced", model):
            return res
        record = self.env[model].sudo().browse(res_id).exists()
        if record:
            partner = message_dict.get("bounced_partner")
            engine._emit(
                "email_bounced",
                model,
                record.ids,
                {
                    "message_id": message.id,
                    "email": message_dict["bounced_email"],
                    "partner_ids": partner.ids if partner else [],
                },
            )
        return res
