# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup, escape

from odoo import fields, models

from .crm_workflow_action import NOTIFY_SUMMARY_THRESHOLD


class CrmWorkflowAction(models.Model):
    _inherit = "crm.workflow.action"

    action_type = fields.Selection(
        selection_add=[("notify", "Notify Users")], ondelete={"notify": "cascade"}
    )
    notify_group_id = fields.Many2one("res.groups", string="Group", ondelete="cascade")
    notify_message = fields.Html(string="Message", translate=True)

    def _runs_on_deleted_records_notify(self):
        """One summary in the users' inbox names the records being deleted
        (nothing is posted on them)."""
        return True

    def _check_notify(self):
        if not (self.user_ids or self.notify_group_id):
            self._raise_config(self.env._("choose the users or the group to notify."))

    def _notify_partners(self):
        users = self.user_ids | self.notify_group_id.sudo().users
        return users.filtered("active").partner_id

    def _run_notify(self, records, run):
        """An inbox notification on each record; a batch larger than
        NOTIFY_SUMMARY_THRESHOLD, or records being deleted, get one summary."""
        partners = self._notify_partners()
        if not partners:
            return
        message = self.notify_message or escape(self.name or "")
        subject = self._owner().name
        deleting = run is not None and run.trigger == "unlink"
        if not deleting and len(records) <= NOTIFY_SUMMARY_THRESHOLD:
            for record in records:
                record.message_notify(
                    partner_ids=partners.ids,
                    body=message,
                    subject=subject,
                    subtype_xmlid="mail.mt_note",
                    email_layout_xmlid="mail.mail_notification_light",
                )
            return
        shown = records[:NOTIFY_SUMMARY_THRESHOLD]
        if deleting:
            items = Markup("").join(
                Markup("<li>%s</li>") % r.display_name for r in shown.sudo()
            )
        else:
            items = Markup("").join(
                Markup('<li><a href="/odoo/%s/%s">%s</a></li>')
                % (records._name, r.id, r.display_name)
                for r in shown
            )
        more = len(records) - len(shown)
        body = Markup("%s<p>%s</p><ul>%s</ul>") % (
            message,
            self.env._("%(count)s record(s):", count=len(records)),
            items,
        )
        if more:
            body += Markup("<p>%s</p>") % self.env._("and %(count)s more.", count=more)
        records.env["mail.thread"].message_notify(
            partner_ids=partners.ids,
            body=body,
            subject=subject,
            subtype_xmlid="mail.mt_note",
            email_layout_xmlid="mail.mail_notification_light",
        )

    def _run_note_notify(self, records, run):
        count = len(self._notify_partners())
        return self.env._(
            "%(action)s (%(count)s user(s) notified)",
            action=self.name or "",
            count=count,
        )

    def _test_notify(self, records, run):
        """Who would be notified (nothing is posted)."""
        names = ", ".join(self._notify_partners().mapped("name"))
        return self.env._("Notifies: %(users)s", users=names or self.env._("nobody"))

    def _effects_in_database_notify(self):
        """The notifications are rows (the mail queue sends them later)."""
        return True
