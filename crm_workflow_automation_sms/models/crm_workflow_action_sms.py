# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The SMS action type, the whole of it: a further module adds a type with
this one file and one view file (see crm_workflow_automation's DEVELOP.md)."""

from odoo import fields, models


class CrmWorkflowAction(models.Model):
    _inherit = "crm.workflow.action"

    action_type = fields.Selection(
        selection_add=[("sms", "SMS")], ondelete={"sms": "cascade"}
    )
    sms_mode = fields.Selection(
        [("template", "An SMS template"), ("text", "A text")],
        string="SMS content",
        default="template",
    )
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS template",
        ondelete="restrict",
        domain="[('model', '=', model_name)]",
    )
    sms_body = fields.Text(
        string="Text",
        translate=True,
        help="Placeholders show fields of the record, e.g. "
        "{{ object.partner_name }} or {{ object.user_id.name }}.",
    )

    def _check_sms(self):
        if self.sms_mode == "template":
            template = self.sms_template_id
            if not template:
                self._raise_config(self.env._("choose the SMS template."))
            if template.model != self.model_name:
                self._raise_config(
                    self.env._(
                        "the SMS template “%(template)s” is made for another kind "
                        "of record.",
                        template=template.name,
                    )
                )
            return
        text = (self.sms_body or "").strip()
        if not text:
            self._raise_config(self.env._("enter the text of the SMS."))
        # the text is rendered as the user who triggers the rule: placeholders
        # that only read fields need no template editor's rights
        Render = self.env["mail.render.mixin"]
        if Render._has_unsafe_expression_template_inline_template(
            text, self.model_name
        ):
            self._raise_config(
                self.env._(
                    "the placeholders of the text can only show fields, such as "
                    "{{ object.partner_name }}; use an SMS template for anything "
                    "else."
                )
            )

    def _run_sms(self, records, run):
        """One batch of Odoo's SMS queue: each record's mobile or phone (or its
        customer's), a note on the record; the SMS cron sends them after the
        commit, and a record without a valid number gets a cancelled SMS that
        says why."""
        text = self.sms_body if self.sms_mode == "text" else ""
        template = self.sms_template_id if self.sms_mode == "template" else False
        # a template reads ``data``: what earlier robots of the stage entry left
        records.with_context(
            crm_workflow_data=dict(run.data) if run is not None else {}
        )._message_sms_schedule_mass(body=text, template=template)

    def _test_sms(self, records, run):
        """A test run: each record's number and rendered text; nothing is
        queued."""
        if self.sms_mode == "template":
            texts = self.sms_template_id.with_env(records.env)._render_field(
                "body", records.ids
            )
        else:
            texts = self.env["mail.render.mixin"]._render_template(
                self.sms_body or "",
                records._name,
                records.ids,
                engine="inline_template",
            )
        numbers = records._sms_get_recipients_info()
        lines = []
        for record in records:
            info = numbers.get(record.id) or {}
            lines.append(
                self.env._(
                    "To: %(number)s\n%(text)s",
                    number=info.get("sanitized")
                    or self.env._("no valid number (the SMS would be cancelled)"),
                    text=texts.get(record.id) or "",
                )
            )
        return "\n".join(lines)

    def _effects_in_database_sms(self):
        """The SMS are queued rows: Odoo's SMS cron sends them after the
        commit."""
        return True
