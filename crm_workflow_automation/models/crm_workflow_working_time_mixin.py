# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from ..runtime.working_time import WORKING_UNITS, working_calendar


class CrmWorkflowWorkingTimeMixin(models.AbstractModel):
    """Counting in working time: the same two settings, and the same choice
    of schedule, for a rule's date offset and an action's or robot's delay."""

    _name = "crm.workflow.working.time.mixin"
    _description = "Workflow working time settings"

    working_calendar = fields.Selection(
        [
            ("company", "Company's working schedule"),
            ("responsible", "Responsible's working schedule"),
        ],
        string="Working schedule",
        default="company",
        help="Working hours and days count in the working schedule of the "
        "company, or in the responsible's (the company's when they have none), "
        "with its public holidays and leaves.",
    )
    working_hours_only = fields.Boolean(
        string="Only within working hours",
        help="A due time outside the working hours of the working schedule "
        "moves to the next working moment.",
    )

    def _working_calendar_of(self, unit, user, company):
        """The ``resource.calendar`` a delay in ``unit`` counts in, or None
        when it counts on the clock."""
        self.ensure_one()
        if not (self.working_hours_only or unit in WORKING_UNITS):
            return None
        return working_calendar(
            self.working_calendar, user, company or self.env.company
        )
