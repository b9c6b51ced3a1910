# Copyright 2026 CRM Workflow Automation contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Stage trigger *Call missed*: moves the opportunity to the trigger's stage
when an inbound call of the opportunity is logged without being held
(Confirmed, Pending or Cancelled, not planned for later), or an inbound call
is set back from held or planned to one of those."""

from odoo import api, fields, models


class CrmWorkflowTrigger(models.Model):
    _inherit = "crm.workflow.trigger"

    trigger_type = fields.Selection(
        selection_add=[("call_missed", "Call missed")],
        ondelete={"call_missed": "cascade"},
    )

    @api.model
    def _trigger_events_call_missed(self):
        return ("call_missed",)

    @api.model
    def _trigger_event_labels_call_missed(self):
        return {"call_missed": self.env._("Call missed")}

    @api.model
    def _trigger_icon_call_missed(self):
        return "fa-phone-square"

    def _trigger_loop_watched_call_missed(self):
        # a call is not a field of the opportunity: no robot writes one
        return set()
