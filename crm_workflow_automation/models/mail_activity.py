# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    # a task of a "request information" action: who asked, and the run
    # (stage entry, data) its answers continue
    workflow_action_id = fields.Many2one(
        "crm.workflow.action",
        string="Requested by",
        ondelete="set null",
        index="btree_not_null",
        readonly=True,
    )
    workflow_context = fields.Json(string="Stage entry", readonly=True)
    workflow_value_ids = fields.One2many(
        "crm.workflow.activity.value", "activity_id", string="Information requested"
    )

    def _workflow_answers(self, feedback):
        """{key: answer} of a request: the answers entered on the task, else a
        line "key: answer" (or "question: answer") of the feedback; the
        feedback itself under ``feedback``."""
        self.ensure_one()
        typed = {}
        for line in (feedback or "").splitlines():
            key, sep, value = line.partition(":")
            if sep and value.strip():
                typed[key.strip().casefold()] = value.strip()
        answers = {}
        for line in self.workflow_value_ids:
            value = line.value or typed.get(line.name.casefold())
            if not value and line.label:
                value = typed.get(line.label.casefold())
            answers[line.name] = value or False
        if feedback:
            answers["feedback"] = feedback
        return answers

    def _action_done(self, feedback=False, attachment_ids=None):
        """Feed "activity done" rules and triggers (a call or a meeting logged
        on a record), and finish the requests for information answered."""
        done = [
            (activity.res_model, activity.res_id, activity.activity_type_id.id)
            for activity in self.sudo()
        ]
        answered = [
            (
                activity.workflow_action_id,
                activity.res_model,
                activity.res_id,
                activity.workflow_context or {},
                activity._workflow_answers(feedback),
            )
            for activity in self.sudo()
            if activity.workflow_action_id
        ]
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        for action, res_model, res_id, context, answers in answered:
            records = self.env[res_model].browse(res_id).exists()
            action._finish_later(records, context, answers)
        if done:
            self.env["crm.workflow.engine"]._on_activity_done(done)
        return result
