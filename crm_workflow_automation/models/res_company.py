# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class ResCompany(models.Model):
    _inherit = "res.company"

    def unlink(self):
        """The run log names the company without a foreign key (its rows are
        written in bulk): its runs keep their row, without the company."""
        self.env["crm.workflow.run"].sudo()._forget("company_id", self.ids)
        return super().unlink()
