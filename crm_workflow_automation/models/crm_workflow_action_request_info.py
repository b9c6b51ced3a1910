# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup, escape

from odoo import Command, api, fields, models


class CrmWorkflowAction(models.Model):
    """The action type ``request_info`` (Bitrix24's "request additional
    information"): a task asks a user for values; when it is marked done its
    answers and feedback become data of the run, and what comes after it (the
    next robots of the stage entry) waits until then. It reuses the task
    type's fields (type, summary, note, deadline, assignee)."""

    _inherit = "crm.workflow.action"

    action_type = fields.Selection(
        selection_add=[("request_info", "Request information")],
        ondelete={"request_info": "cascade"},
    )
    request_field_ids = fields.One2many(
        "crm.workflow.action.request.field",
        "action_id",
        string="Information requested",
        copy=True,
    )

    @api.model
    def _version_parts(self):
        return super()._version_parts() + ("request_field_ids",)

    def _check_request_info(self):
        self._check_activity()
        names = self.request_field_ids.mapped("name")
        if len(names) != len(set(names)):
            self._raise_config(
                self.env._("each piece of information needs a key of its own.")
            )

    def _completes_later_request_info(self):
        """The run finishes when the task is marked done with its answers."""
        return True

    def _job_batchable_request_info(self):
        """Each task remembers its own stage entry."""
        return False

    def _job_pinnable_request_info(self):
        """Each task links back to the stored action."""
        return False

    def _run_request_info(self, records, run):
        """One task per record, with a line per piece of information asked
        for and the run's context to resume from when it is done."""
        entry = None
        if run is not None and run.event is not None:
            entry = run.event.uid
        elif run is not None and run.job:
            entry = (run.job[:1].robot_context or {}).get("entry")
        context = {"entry": entry, "data": dict(run.data) if run is not None else {}}
        lines = self.request_field_ids
        note = self.activity_note or Markup("")
        if lines:
            items = Markup("").join(
                Markup("<li>%s</li>") % escape(line.label or line.name)
                for line in lines
            )
            note = note + Markup("<p>%s</p><ul>%s</ul>") % (
                self.env._("Please give:"),
                items,
            )
        summary = self.activity_summary or self.env._("Information requested")
        values = {
            "summary": summary,
            "note": note or False,
            "workflow_action_id": self.id,
            "workflow_context": context,
            "workflow_value_ids": [
                Command.create({"name": line.name, "label": line.label or line.name})
                for line in lines
            ],
        }
        self._create_activities(records, dict.fromkeys(records.ids, values))

    def _effects_in_database_request_info(self):
        """The task and its lines are rows of the database."""
        return True
