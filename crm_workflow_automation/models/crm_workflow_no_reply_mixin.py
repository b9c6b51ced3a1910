# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The wait of the "Email not answered" rule and stage-trigger types: one
delay, on the clock or in working time, and one deadline computation."""

from dateutil.relativedelta import relativedelta

from odoo import fields, models

from ..runtime.working_time import WORKING_UNITS, add_working_time, working_calendar

NO_REPLY_UNITS = [
    ("hours", "Hours"),
    ("days", "Days"),
    ("work_hours", "Working hours"),
    ("work_days", "Working days"),
]
CLOCK_UNITS = {"work_hours": "hours", "work_days": "days"}


def no_reply_deadline(sent, delay, unit, calendar=None):
    """When an email sent at ``sent`` (naive UTC) counts as not answered;
    working hours and days count in ``calendar`` (on the clock without one)."""
    unit = unit or "days"
    if unit in WORKING_UNITS and calendar:
        deadline = add_working_time(calendar, sent, delay or 0, unit)
        if deadline:
            return deadline
    return sent + relativedelta(**{CLOCK_UNITS.get(unit, unit): delay or 0})


class CrmWorkflowNoReplyMixin(models.AbstractModel):
    _name = "crm.workflow.no.reply.mixin"
    _description = "Workflow wait for a reply"

    no_reply_delay = fields.Integer(
        string="No reply within",
        default=2,
        help="It runs when an email sent from the record has had no reply on "
        "the record for this long. A later email restarts the wait.",
    )
    no_reply_unit = fields.Selection(
        NO_REPLY_UNITS,
        string="No reply unit",
        default="days",
        help="Working hours and days count in the company's working schedule, "
        "with its public holidays.",
    )

    def _no_reply_calendar(self):
        """The ``resource.calendar`` of a wait in working time: the company's
        (a rule follows its own working-schedule setting)."""
        company = self["company_id"] if "company_id" in self._fields else False
        return working_calendar("company", self.env.user, company or self.env.company)

    def _no_reply_deadline(self, sent):
        self.ensure_one()
        unit = self.no_reply_unit
        calendar = self._no_reply_calendar() if unit in WORKING_UNITS else None
        return no_reply_deadline(sent, self.no_reply_delay, unit, calendar)

    def _no_reply_words(self):
        """ "2 working days", for the summaries and the test run."""
        units = dict(self._fields["no_reply_unit"]._description_selection(self.env))
        return f"{self.no_reply_delay} {units.get(self.no_reply_unit, '').lower()}"
