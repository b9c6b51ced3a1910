# Copyright 2026 CRM Workflow Automation contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Stage trigger *Call held*: moves the opportunity to the trigger's stage
when a call of the opportunity, inbound or outbound, is held: logged as held,
or set to held later."""

from odoo import api, fields, models


class CrmWorkflowTrigger(models.Model):
    _inherit = "crm.workflow.trigger"

    trigger_type = fields.Selection(
        selection_add=[("call_held", "Call held")], ondelete={"call_held": "cascade"}
    )

    @api.model
    def _trigger_events_call_held(self):
        return ("call_held",)

    @api.model
    def _trigger_event_labels_call_held(self):
        return {"call_held": self.env._("Call held")}

    @api.model
    def _trigger_icon_call_held(self):
        return "fa-headphones"

    def _trigger_loop_watched_call_held(self):
        # a call is not a field of the opportunity: no robot writes one
        return set()
