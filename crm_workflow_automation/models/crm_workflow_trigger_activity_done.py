# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stage-trigger type "Activity done": an activity of the opportunity
(of the chosen types, or any) is marked done."""

from odoo import api, fields, models


class CrmWorkflowTrigger(models.Model):
    _inherit = "crm.workflow.trigger"

    trigger_type = fields.Selection(
        selection_add=[("activity_done", "Activity done")],
        ondelete={"activity_done": "cascade"},
    )
    activity_type_ids = fields.Many2many(
        "mail.activity.type",
        string="Activity types",
        help="Only when an activity of one of these types is done (a call, a "
        "meeting). Leave empty for any activity.",
    )

    @api.model
    def _trigger_events_activity_done(self):
        return ("activity_done",)

    @api.model
    def _trigger_event_labels_activity_done(self):
        return {"activity_done": self.env._("Activity done")}

    @api.model
    def _trigger_icon_activity_done(self):
        return "fa-check-square-o"

    def _trigger_fire_activity_done(self, event):
        if not self.activity_type_ids:
            return list(event.ids)
        wanted = set(self.activity_type_ids.ids)
        types = event.detail.get("activity_types", {})
        return [rid for rid in event.ids if types.get(rid, set()) & wanted]

    def _trigger_summary_activity_done(self):
        if not self.activity_type_ids:
            return None
        return self.env._(
            "%(types)s done", types=", ".join(self.activity_type_ids.mapped("name"))
        )
