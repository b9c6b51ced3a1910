# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Trigger type "Record created or edited"."""

from odoo import api, fields, models


class CrmWorkflowRule(models.Model):
    _inherit = "crm.workflow.rule"

    trigger = fields.Selection(
        selection_add=[("on_create_or_write", "Record created or edited")],
        ondelete={"on_create_or_write": "cascade"},
    )

    @api.model
    def _trigger_events_on_create_or_write(self):
        return ("create", "write")

    @api.model
    def _trigger_event_labels_on_create_or_write(self):
        return {"create": self.env._("Created"), "write": self.env._("Edited")}

    @api.model
    def _trigger_icon_on_create_or_write(self):
        return "fa-pencil-square-o"

    def _trigger_backtest_on_create_or_write(self, backtest, Model, since):
        edits, notes = self._trigger_backtest_on_write(backtest, Model, since)
        return backtest._past_creations(Model, since) + edits, notes

    def _trigger_loop_watched_on_create_or_write(self):
        return self._trigger_loop_watched_on_write()

    def _trigger_test_note_on_create_or_write(self):
        return self._trigger_test_note_on_write()

    def _trigger_explain_on_create_or_write(self, explain, record, event, label):
        # any event of the record's life is a creation or an edit
        if event["kind"] != "write":
            return "yes", self.env._(
                "Trigger: %(trigger)s; matches the last event.", trigger=label
            )
        return self._explain_watched(explain, event, label)
