# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Design-time tools of a rule, before it is activated: the Preview and
Test run buttons, and the analysis of loops between rules."""

from odoo import models


class CrmWorkflowRule(models.Model):
    _inherit = "crm.workflow.rule"

    def action_preview(self):
        """What the rule would concern now (counts, samples, due times)."""
        self.ensure_one()
        preview = self.env["crm.workflow.preview"].create({"rule_id": self.id})
        return preview._action_open()

    def action_test_run(self):
        """Try the rule on one record; nothing is kept."""
        self.ensure_one()
        wizard = self.env["crm.workflow.test.run"].create({"rule_id": self.id})
        return wizard._action_open()
