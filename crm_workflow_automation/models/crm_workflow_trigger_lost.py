# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stage-trigger type "Lost": the opportunity is marked lost."""

from odoo import api, fields, models


class CrmWorkflowTrigger(models.Model):
    _inherit = "crm.workflow.trigger"

    trigger_type = fields.Selection(
        selection_add=[("lost", "Lost")],
        ondelete={"lost": "cascade"},
    )

    @api.model
    def _trigger_events_lost(self):
        return ("write",)

    @api.model
    def _trigger_icon_lost(self):
        return "fa-times-circle"

    def _trigger_fire_lost(self, event):
        # Odoo's "lost" is an archived opportunity (its probability drops to 0
        # in the same call, right after the archive)
        archived = event.changed.get("active", set())
        if not archived:
            return []
        leads = (
            self.env["crm.lead"].sudo().with_context(active_test=False).browse(archived)
        )
        return [lead.id for lead in leads if not lead.active]

    def _trigger_loop_watched_lost(self):
        return {"active"}
