# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.tools.sql import column_exists


class IrModel(models.Model):
    _inherit = "ir.model"

    def unlink(self):
        """A model's rules go with it (their key's ON DELETE CASCADE, when the
        model's module is uninstalled); the run log names the rule without a
        foreign key (its rows are written in bulk), so their runs go here.
        Not while this add-on itself is uninstalled: its columns are gone
        before its models, and its tables go with them."""
        cr = self.env.cr
        if column_exists(cr, "crm_workflow_rule", "model_id") and (
            column_exists(cr, "crm_workflow_run", "rule_id")
        ):
            cr.execute(
                "SELECT id FROM crm_workflow_rule WHERE model_id = ANY(%s)",
                [list(self.ids)],
            )
            rule_ids = [row[0] for row in cr.fetchall()]
            self.env["crm.workflow.run"].sudo()._forget("rule_id", rule_ids)
        return super().unlink()
