# Copyright 2026 CRM Workflow Automation contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Stage trigger *Call received*: moves the opportunity to the trigger's stage
when an inbound call of the opportunity is held: logged as held, or set to
held later."""

from odoo import api, fields, models


class CrmWorkflowTrigger(models.Model):
    _inherit = "crm.workflow.trigger"

    trigger_type = fields.Selection(
        selection_add=[("call_received", "Call received")],
        ondelete={"call_received": "cascade"},
    )

    @api.model
    def _trigger_events_call_received(self):
        return ("call_received",)

    @api.model
    def _trigger_event_labels_call_received(self):
        return {"call_received": self.env._("Call received")}

    @api.model
    def _trigger_icon_call_received(self):
        return "fa-phone"

    def _trigger_loop_watched_call_received(self):
        # a call is not a field of the opportunity: no robot writes one
        return set()
