# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stage trigger "Meeting cancelled": a meeting of the opportunity was
archived or deleted."""

from odoo import api, fields, models


class CrmWorkflowTrigger(models.Model):
    _inherit = "crm.workflow.trigger"

    trigger_type = fields.Selection(
        selection_add=[("meeting_cancelled", "Meeting cancelled")],
        ondelete={"meeting_cancelled": "cascade"},
    )

    @api.model
    def _trigger_events_meeting_cancelled(self):
        return ("meeting_cancelled",)

    @api.model
    def _trigger_event_labels_meeting_cancelled(self):
        return {"meeting_cancelled": self.env._("Meeting cancelled")}

    @api.model
    def _trigger_icon_meeting_cancelled(self):
        return "fa-calendar-times-o"

    def _trigger_fire_meeting_cancelled(self, event):
        return self._meeting_fire(event)

    def _trigger_check_meeting_cancelled(self):
        self._check_meeting_trigger()
