# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class MailRenderMixin(models.AbstractModel):
    _inherit = "mail.render.mixin"

    def _render_eval_context(self):
        """Templates sent by a workflow action read ``data``: the values earlier
        automation rules of the same stage entry produced (a function's
        result, the answers to a request for information); empty elsewhere."""
        context = super()._render_eval_context()
        context["data"] = dict(self.env.context.get("crm_workflow_data") or {})
        return context
