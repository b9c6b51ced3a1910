# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class CrmWorkflowExport(models.TransientModel):
    _inherit = "crm.workflow.export"

    @api.model
    def _companion_models(self):
        """An SMS template of one's own goes with the actions that send it."""
        return super()._companion_models() + ("sms.template",)
