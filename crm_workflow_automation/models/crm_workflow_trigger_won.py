# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stage-trigger type "Won": the opportunity enters a won stage."""

from odoo import api, fields, models


class CrmWorkflowTrigger(models.Model):
    _inherit = "crm.workflow.trigger"

    trigger_type = fields.Selection(
        selection_add=[("won", "Won")],
        ondelete={"won": "cascade"},
    )

    @api.model
    def _trigger_events_won(self):
        return ("write",)

    @api.model
    def _trigger_icon_won(self):
        return "fa-trophy"

    def _trigger_fire_won(self, event):
        entered = event.changed.get("stage_id", set())
        if not entered:
            return []
        leads = self.env["crm.lead"].sudo().browse(sorted(entered))
        return [lead.id for lead in leads if lead.stage_id.is_won]

    def _trigger_loop_watched_won(self):
        return {"stage_id"}
