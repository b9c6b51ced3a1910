# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class IrModel(models.Model):
    _inherit = "ir.model"

    def unlink(self):
        """A model's rules go with it (their key's ON DELETE CASCADE, when the
        model's module is uninstalled); the run log names the rule without a
        foreign key (its rows are written in bulk), so their runs go here."""
        rules = (
            self.env["crm.workflow.rule"]
            .sudo()
            .with_context(active_test=False)
            .search([("model_id", "in", self.ids)])
        )
        self.env["crm.workflow.run"].sudo()._forget("rule_id", rules.ids)
        return super().unlink()
