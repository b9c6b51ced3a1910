# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models

from .crm_workflow_action import NOTIFY_SUMMARY_THRESHOLD
from .crm_workflow_rule import delay_too_long


class CrmWorkflowAction(models.Model):
    _inherit = "crm.workflow.action"

    action_type = fields.Selection(
        selection_add=[("activity", "Task")], ondelete={"activity": "cascade"}
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Activity type",
        ondelete="restrict",
        domain="['|', ('res_model', '=', False), ('res_model', '=', model_name)]",
    )
    activity_summary = fields.Char(string="Summary", translate=True)
    activity_note = fields.Html(string="Note", translate=True)
    activity_due_days = fields.Integer(string="Due in (days)")
    activity_user_type = fields.Selection(
        [
            ("owner", "The salesperson"),
            ("user", "A chosen user"),
            ("field", "A user field of the record"),
        ],
        string="Assigned to",
        default="owner",
    )
    activity_user_id = fields.Many2one("res.users", string="User")
    activity_user_field_id = fields.Many2one(
        "ir.model.fields",
        string="User field",
        ondelete="cascade",
        domain="[('model_id', '=', model_id), ('ttype', '=', 'many2one'), "
        "('relation', '=', 'res.users')]",
    )

    @api.model
    def _check_vals_before_save(self, vals):
        res = super()._check_vals_before_save(vals)
        if delay_too_long(vals.get("activity_due_days"), "days"):
            self._refuse_vals(vals, self._due_too_far())
        return res

    def _due_too_far(self):
        # the bound of every delay: far beyond any real task, far below the
        # calendar's end (year 9999), where the deadline would overflow
        return self.env._("a task must be due within 100 years (36,500 days).")

    def _check_activity(self):
        if delay_too_long(self.activity_due_days, "days"):
            self._raise_config(self._due_too_far())
        if not self.activity_type_id:
            self._raise_config(self.env._("choose the activity type of the task."))
        if self.activity_user_type == "user" and not self.activity_user_id:
            self._raise_config(self.env._("choose the user who gets the task."))
        if self.activity_user_type == "field":
            self._check_model_field(
                self.activity_user_field_id,
                self.env._("choose the user field of the record."),
            )
        if self.activity_user_type == "owner":
            self._check_record_field(
                "user_id", None, self.env._("these records have no salesperson.")
            )

    def _activity_assignees(self, records):
        if self.activity_user_type == "user":
            return dict.fromkeys(records.ids, self.activity_user_id.id)
        fname = (
            "user_id"
            if self.activity_user_type == "owner"
            else self.activity_user_field_id.name
        )
        fallback = self._owner().user_id.id or records.env.uid
        return {record.id: record[fname].id or fallback for record in records.sudo()}

    def _run_activity(self, records, run):
        self._create_activities(records)

    def _create_activities(self, records, extra=None):
        """One ``create`` for the batch (``extra``: {record id: values} a type
        that builds on tasks adds). Odoo emails each assignee about each
        activity given to them; past NOTIFY_SUMMARY_THRESHOLD records that
        would be one email per record, so a large batch only shows up in the
        assignees' activities."""
        assignees = self._activity_assignees(records)
        deadline = fields.Date.context_today(records) + timedelta(
            days=self.activity_due_days or 0
        )
        res_model_id = self.env["ir.model"]._get_id(records._name)
        summary = self.activity_summary or False
        note = self.activity_note or False
        Activity = records.env["mail.activity"]
        if len(records) > NOTIFY_SUMMARY_THRESHOLD:
            Activity = Activity.with_context(mail_activity_quick_update=True)
        return Activity.create(
            [
                {
                    "res_model_id": res_model_id,
                    "res_id": record_id,
                    "activity_type_id": self.activity_type_id.id,
                    "summary": summary,
                    "note": note,
                    "date_deadline": deadline,
                    "user_id": assignees.get(record_id) or records.env.uid,
                    **((extra or {}).get(record_id) or {}),
                }
                for record_id in records.ids
            ]
        )

    def _test_activity(self, records, run):
        """The task each record would get (nothing is created)."""
        assignees = self._activity_assignees(records)
        deadline = fields.Date.context_today(records) + timedelta(
            days=self.activity_due_days or 0
        )
        users = self.env["res.users"].sudo()
        return "\n".join(
            self.env._(
                "Task “%(summary)s” (%(type)s) for %(user)s, due on %(date)s",
                summary=self.activity_summary or self.activity_type_id.name or "",
                type=self.activity_type_id.name or "",
                user=users.browse(assignees.get(record.id) or records.env.uid).name,
                date=deadline,
            )
            for record in records
        )

    def _effects_in_database_activity(self):
        """The tasks are rows of the database."""
        return True
