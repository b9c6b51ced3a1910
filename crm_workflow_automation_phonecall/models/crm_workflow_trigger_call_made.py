# Copyright 2026 CRM Workflow Automation contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Stage trigger *Call made*: moves the opportunity to the trigger's stage
when an outbound call of the opportunity is held: logged as held, or set to
held later."""

from odoo import api, fields, models


class CrmWorkflowTrigger(models.Model):
    _inherit = "crm.workflow.trigger"

    trigger_type = fields.Selection(
        selection_add=[("call_made", "Call made")], ondelete={"call_made": "cascade"}
    )

    @api.model
    def _trigger_events_call_made(self):
        return ("call_made",)

    @api.model
    def _trigger_event_labels_call_made(self):
        return {"call_made": self.env._("Call made")}

    @api.model
    def _trigger_icon_call_made(self):
        return "fa-volume-control-phone"

    def _trigger_loop_watched_call_made(self):
        # a call is not a field of the opportunity: no robot writes one
        return set()
