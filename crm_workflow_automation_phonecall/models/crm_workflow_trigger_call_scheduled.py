# Copyright 2026 CRM Workflow Automation contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Stage trigger *Call scheduled*: moves the opportunity to the trigger's
stage when a call of the opportunity is planned: Confirmed or Pending with a
date in the future, when logged or when changed to it (moving a planned call
to another future date does not fire it again)."""

from odoo import api, fields, models


class CrmWorkflowTrigger(models.Model):
    _inherit = "crm.workflow.trigger"

    trigger_type = fields.Selection(
        selection_add=[("call_scheduled", "Call scheduled")],
        ondelete={"call_scheduled": "cascade"},
    )

    @api.model
    def _trigger_events_call_scheduled(self):
        return ("call_scheduled",)

    @api.model
    def _trigger_event_labels_call_scheduled(self):
        return {"call_scheduled": self.env._("Call scheduled")}

    @api.model
    def _trigger_icon_call_scheduled(self):
        return "fa-calendar-check-o"

    def _trigger_loop_watched_call_scheduled(self):
        # a call is not a field of the opportunity: no robot writes one
        return set()
