# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stage-trigger type "Email bounced": an email sent from the opportunity
came back undelivered (the event comes from the rule type's file,
crm_workflow_rule_on_email_bounced.py, which watches Odoo's mail gateway)."""

from odoo import api, fields, models


class CrmWorkflowTrigger(models.Model):
    _inherit = "crm.workflow.trigger"

    trigger_type = fields.Selection(
        selection_add=[("email_bounced", "Email bounced")],
        ondelete={"email_bounced": "cascade"},
    )

    @api.model
    def _trigger_events_email_bounced(self):
        return ("email_bounced",)

    @api.model
    def _trigger_event_labels_email_bounced(self):
        return {"email_bounced": self.env._("Email bounced")}

    @api.model
    def _trigger_icon_email_bounced(self):
        return "fa-exclamation-triangle"
