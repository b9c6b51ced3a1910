# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Trigger type "Record edited": any edit, or an edit of the watched fields
(``trigger_field_ids``), which the engine compares before and after."""

from odoo import api, fields, models


class CrmWorkflowRule(models.Model):
    _inherit = "crm.workflow.rule"

    trigger = fields.Selection(
        selection_add=[("on_write", "Record edited")],
        ondelete={"on_write": "cascade"},
    )

    @api.model
    def _trigger_events_on_write(self):
        return ("write",)

    @api.model
    def _trigger_event_labels_on_write(self):
        return {"write": self.env._("Edited")}

    @api.model
    def _trigger_icon_on_write(self):
        return "fa-pencil"

    def _trigger_backtest_on_write(self, backtest, Model, since):
        """(past events, notes): the tracked edits since then, of the
        watched fields; an edit of an untracked field left no trace."""
        watched = self.trigger_field_ids
        untracked = [
            f.field_description
            for f in watched
            if not getattr(Model._fields.get(f.name), "tracking", False)
        ]
        if watched:
            notes = (
                [
                    self.env._(
                        "Edits of fields that are not tracked left no history "
                        "and are not replayed: %(fields)s.",
                        fields=", ".join(untracked),
                    )
                ]
                if untracked
                else []
            )
        else:
            notes = [
                self.env._(
                    "The rule runs on any edit: only the edits of tracked fields "
                    "are in the history and replayed."
                )
            ]
        events = backtest._past_edits(Model, since, watched.mapped("name"))
        return events, notes

    def _trigger_loop_watched_on_write(self):
        return set(self.trigger_field_ids.mapped("name")) or None

    def _trigger_test_note_on_write(self):
        if not self.trigger_field_ids:
            return ""
        return self.env._(
            "(when %(fields)s changes; the test assumes it did)",
            fields=", ".join(self.trigger_field_ids.mapped("field_description")),
        )

    def _trigger_explain_on_write(self, explain, record, event, label):
        if event["kind"] != "write":
            return explain._kind_match(event, ("write",), label)
        return self._explain_watched(explain, event, label)

    def _explain_watched(self, explain, event, label):
        """(state, words) of an edit against the watched fields."""
        changed = event["changed"]
        watched = set(self.trigger_field_ids.mapped("name"))
        if not watched or event["kind"] != "write":
            return explain._kind_match(event, (event["kind"],), label)
        names = ", ".join(self.trigger_field_ids.mapped("field_description"))
        if changed is None:
            return "info", self.env._(
                "Trigger: %(trigger)s, when %(fields)s changes; the last "
                "edit is not tracked, so which fields changed is not known.",
                trigger=label,
                fields=names,
            )
        if not watched & changed:
            return "no", self.env._(
                "Trigger: %(trigger)s, when %(fields)s changes; the last "
                "edit changed none of them.",
                trigger=label,
                fields=names,
            )
        return "yes", self.env._(
            "Trigger: %(trigger)s; the last edit changed %(fields)s.",
            trigger=label,
            fields=", ".join(
                self.trigger_field_ids.filtered(lambda f: f.name in changed).mapped(
                    "field_description"
                )
            ),
        )
