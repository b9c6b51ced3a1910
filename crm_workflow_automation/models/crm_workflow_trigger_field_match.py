# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stage-trigger type "The opportunity meets the condition": fires when an
opportunity starts meeting the condition (it did not before the creation or
the write)."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmWorkflowTrigger(models.Model):
    _inherit = "crm.workflow.trigger"

    trigger_type = fields.Selection(
        selection_add=[("field_match", "The opportunity meets the condition")],
        ondelete={"field_match": "cascade"},
    )

    @api.model
    def _trigger_events_field_match(self):
        return ("create", "write")

    @api.model
    def _trigger_icon_field_match(self):
        return "fa-filter"

    @api.model
    def _trigger_condition_is_event_field_match(self):
        """The condition is what the trigger waits for, not a filter."""
        return True

    def _trigger_before_write_field_match(self, records):
        """The records that already meet the condition before the write."""
        return self.env["crm.workflow.engine"]._search_ids(
            records._name, records._ids, self._eval_domain()
        )

    def _trigger_fire_field_match(self, event):
        # the records that start meeting the condition: not before the write
        before = event.detail.get("before_write", {}).get(self.id, set())
        return [rid for rid in event.ids if rid not in before]

    def _trigger_check_field_match(self):
        if not self._eval_domain():
            raise ValidationError(
                self.env._(
                    "Trigger “%(name)s”: set the condition the opportunity must meet.",
                    name=self.name,
                )
            )

    def _trigger_loop_watched_field_match(self):
        try:
            domain = self._eval_domain()
        except Exception:  # the trigger reports its own errors
            return set()
        return {
            str(leaf[0]).split(".")[0]
            for leaf in domain
            if isinstance(leaf, list | tuple) and len(leaf) == 3
        }
