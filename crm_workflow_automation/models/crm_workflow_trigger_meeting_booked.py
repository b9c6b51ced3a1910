# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stage trigger "Meeting booked": a meeting is booked for the opportunity
(move to *Meeting booked* when a meeting is booked)."""

from odoo import api, fields, models


class CrmWorkflowTrigger(models.Model):
    _inherit = "crm.workflow.trigger"

    trigger_type = fields.Selection(
        selection_add=[("meeting_booked", "Meeting booked")],
        ondelete={"meeting_booked": "cascade"},
    )

    @api.model
    def _trigger_events_meeting_booked(self):
        return ("meeting_booked",)

    @api.model
    def _trigger_event_labels_meeting_booked(self):
        return {"meeting_booked": self.env._("Meeting booked")}

    @api.model
    def _trigger_icon_meeting_booked(self):
        return "fa-calendar-plus-o"

    def _trigger_fire_meeting_booked(self, event):
        return self._meeting_fire(event)

    def _trigger_check_meeting_booked(self):
        self._check_meeting_trigger()
