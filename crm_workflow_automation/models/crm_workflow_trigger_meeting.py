# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the meeting stage-trigger types share
(``crm_workflow_trigger_meeting_*.py``): the meeting filter."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmWorkflowTrigger(models.Model):
    _inherit = "crm.workflow.trigger"

    meeting_domain = fields.Char(
        string="Meeting filter",
        help="Move only for meetings that meet these criteria. Leave empty "
        "for every meeting of the opportunity.",
    )

    @api.constrains("meeting_domain")
    def _check_meeting_domain(self):
        self._check_configuration()

    def _meeting_fire(self, event):
        """The event's opportunities whose meeting meets the filter."""
        Meeting = self.env["calendar.event"]
        found = Meeting._crm_workflow_matching(
            Meeting._crm_workflow_meetings_of(event, event.ids), self.meeting_domain
        )
        return [rid for rid in event.ids if rid in found]

    def _check_meeting_trigger(self):
        try:
            self.env["calendar.event"]._crm_workflow_check_domain(self.meeting_domain)
        except Exception as e:
            raise ValidationError(
                self.env._(
                    "Trigger “%(name)s”: the meeting filter is not valid: %(error)s",
                    name=self.name,
                    error=e,
                )
            ) from e
