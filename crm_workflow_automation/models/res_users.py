# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    def unlink(self):
        """The run log names the user without a foreign key (its rows are
        written in bulk): its runs keep their row, without the user."""
        self.env["crm.workflow.run"].sudo()._forget("user_id", self.ids)
        return super().unlink()
