# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Trigger type "Record created"."""

from odoo import api, fields, models


class CrmWorkflowRule(models.Model):
    _inherit = "crm.workflow.rule"

    trigger = fields.Selection(
        selection_add=[("on_create", "Record created")],
        ondelete={"on_create": "cascade"},
    )

    @api.model
    def _trigger_events_on_create(self):
        return ("create",)

    @api.model
    def _trigger_event_labels_on_create(self):
        return {"create": self.env._("Created")}

    @api.model
    def _trigger_icon_on_create(self):
        return "fa-plus-circle"

    def _trigger_backtest_on_create(self, backtest, Model, since):
        """(past events, notes): the records created since then."""
        return backtest._past_creations(Model, since), []

    def _trigger_explain_on_create(self, explain, record, event, label):
        return explain._kind_match(event, ("create",), label)
