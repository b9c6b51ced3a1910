# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Trigger type "Activity done": an activity of the record marked done, of
the chosen types (``activity_type_ids``) or any."""

from odoo import api, fields, models


class CrmWorkflowRule(models.Model):
    _inherit = "crm.workflow.rule"

    trigger = fields.Selection(
        selection_add=[("on_activity_done", "Activity done")],
        ondelete={"on_activity_done": "cascade"},
    )

    @api.model
    def _trigger_events_on_activity_done(self):
        return ("activity_done",)

    @api.model
    def _trigger_event_labels_on_activity_done(self):
        return {"activity_done": self.env._("Activity done")}

    @api.model
    def _trigger_icon_on_activity_done(self):
        return "fa-check-square-o"

    def _trigger_filter_on_activity_done(self, event, ids):
        if not self.activity_type_ids:
            return ids
        wanted = set(self.activity_type_ids.ids)
        types = event.detail.get("activity_types", {})
        return [rid for rid in ids if types.get(rid, set()) & wanted]
