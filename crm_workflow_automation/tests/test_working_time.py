# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Delays in working time (issue 28, item 2): working hours and days of a
working schedule, its holidays skipped, and "only within working hours", on
rules' scheduled actions, robots' delays and date rules' offsets.

The schedule of the tests: Monday to Friday, 08:00-12:00 and 13:00-17:00 in
Europe/Berlin (UTC+1 in January). 9 January 2026 is a Friday."""

from datetime import date, datetime

import pytz
from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import StageCase

BERLIN = pytz.timezone("Europe/Berlin")
# Friday 9 January 2026, 17:00 in Berlin
FRIDAY_17 = "2026-01-09 16:00:00"
FRIDAY_10 = "2026-01-09 09:00:00"


def utc(year, month, day, hour, minute=0):
    """The naive UTC datetime of a Berlin wall-clock time, as stored."""
    local = BERLIN.localize(datetime(year, month, day, hour, minute))
    return local.astimezone(pytz.utc).replace(tzinfo=None)


@tagged("post_install", "-at_install")
class TestWorkingTime(StageCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.make_calendar("Office (tests)", "Europe/Berlin")
        cls.env.company.resource_calendar_id = cls.calendar
        cls.sales_manager.tz = "Europe/Berlin"
        cls.salesman.tz = "Europe/Berlin"

    @classmethod
    def make_calendar(cls, name, tz, periods=((8, 12), (13, 17))):
        attendances = [
            Command.create(
                {
                    "name": f"{day} {start}-{stop}",
                    "dayofweek": str(day),
                    "hour_from": start,
                    "hour_to": stop,
                    "day_period": "morning" if start < 12 else "afternoon",
                }
            )
            for day in range(5)
            for start, stop in periods
        ]
        return cls.env["resource.calendar"].create(
            {"name": name, "tz": tz, "attendance_ids": [Command.clear(), *attendances]}
        )

    def holiday(self, day, calendar=None):
        """A public holiday: a leave of the calendar with no resource."""
        return self.env["resource.calendar.leaves"].create(
            {
                "name": "Holiday (tests)",
                "calendar_id": (calendar or self.calendar).id,
                "date_from": utc(day.year, day.month, day.day, 0),
                "date_to": utc(day.year, day.month, day.day, 23, 59),
            }
        )

    def delayed_rule(self, amount, unit, **action):
        return self.make_rule(
            name="Working-time follow-up",
            trigger="on_create",
            user_id=self.sales_manager.id,
            actions=[
                self.field_update(
                    "description",
                    "followed up",
                    timing="scheduled",
                    delay_amount=amount,
                    delay_unit=unit,
                    **action,
                )
            ],
        )

    def queued_eta(self, rule, at):
        with freeze_time(at), self.trap_jobs() as trap:
            lead = self.new_lead()
            job = trap.assert_enqueued(count=1, rule=rule, records=lead)
        return job.eta

    # -- rules' scheduled actions ------------------------------------------

    def test_two_working_hours_from_friday_17_run_on_monday_10(self):
        rule = self.delayed_rule(2, "work_hours")
        self.assertEqual(self.queued_eta(rule, FRIDAY_17), utc(2026, 1, 12, 10))

    def test_the_job_runs_at_the_working_time_not_before(self):
        rule = self.delayed_rule(2, "work_hours")
        with freeze_time(FRIDAY_17), self.trap_jobs() as trap:
            lead = self.new_lead()
            job = trap.assert_enqueued(count=1, rule=rule, records=lead)
        self.assertEqual(trap.run(at=utc(2026, 1, 12, 9, 59)), 0)
        self.assertEqual(trap.run(at=utc(2026, 1, 12, 10)), 1)
        self.assertEqual(job.state, "done")
        self.assertIn("followed up", lead.description or "")

    def test_a_holiday_of_the_calendar_is_skipped(self):
        self.holiday(date(2026, 1, 12))
        rule = self.delayed_rule(2, "work_hours")
        self.assertEqual(self.queued_eta(rule, FRIDAY_17), utc(2026, 1, 13, 10))

    def test_working_days_keep_the_time_of_day_and_skip_holidays(self):
        rule = self.delayed_rule(1, "work_days")
        self.assertEqual(self.queued_eta(rule, FRIDAY_10), utc(2026, 1, 12, 10))
        self.holiday(date(2026, 1, 12))
        self.assertEqual(self.queued_eta(rule, FRIDAY_10), utc(2026, 1, 13, 10))

    def test_only_within_working_hours_moves_to_the_next_working_moment(self):
        rule = self.delayed_rule(1, "hours", working_hours_only=True)
        # Friday 17:00 + 1 hour = 18:00, outside: Monday 08:00
        self.assertEqual(self.queued_eta(rule, FRIDAY_17), utc(2026, 1, 12, 8))
        # Friday 10:00 + 1 hour = 11:00, within: unchanged
        self.assertEqual(self.queued_eta(rule, FRIDAY_10), utc(2026, 1, 9, 11))

    def test_calendar_hours_are_unchanged_without_the_option(self):
        rule = self.delayed_rule(2, "hours")
        self.assertEqual(self.queued_eta(rule, FRIDAY_17), utc(2026, 1, 9, 19))

    def test_the_responsible_s_working_schedule(self):
        """The responsible works 12:00-20:00: Friday 17:00 + 2 working hours
        is Friday 19:00 in their schedule, Monday 10:00 in the company's."""
        late = self.make_calendar("Late shift (tests)", "Europe/Berlin", ((12, 20),))
        self.env["resource.resource"].create(
            {
                "name": self.sales_manager.name,
                "user_id": self.sales_manager.id,
                "calendar_id": late.id,
                "tz": "Europe/Berlin",
            }
        )
        self.assertEqual(self.sales_manager.resource_calendar_id, late)
        rule = self.delayed_rule(2, "work_hours", working_calendar="responsible")
        self.assertEqual(self.queued_eta(rule, FRIDAY_17), utc(2026, 1, 9, 19))
        company_rule = self.delayed_rule(2, "work_hours")
        self.assertEqual(self.queued_eta(company_rule, FRIDAY_17), utc(2026, 1, 12, 10))

    def test_responsible_without_a_schedule_counts_in_the_company_s(self):
        rule = self.delayed_rule(2, "work_hours", working_calendar="responsible")
        self.assertFalse(self.sales_manager.resource_calendar_id)
        self.assertEqual(self.queued_eta(rule, FRIDAY_17), utc(2026, 1, 12, 10))

    # -- robots' delays ------------------------------------------------------

    def test_robot_delay_in_working_hours(self):
        robot = self.robot(
            self.s2,
            timing="scheduled",
            delay_amount=2,
            delay_unit="work_hours",
        )
        lead = self.new_lead()
        with freeze_time(FRIDAY_17), self.trap_jobs() as trap:
            self.move(lead, self.s2)
            job = trap.jobs.filtered(lambda j: j.res_id == lead.id)
        self.assertEqual(len(job), 1, robot)
        self.assertEqual(job.eta, utc(2026, 1, 12, 10))

    # -- date rules' offsets -------------------------------------------------

    def test_date_rule_offset_in_working_days_within_working_hours(self):
        """One working day after a Friday date (midnight) is Monday 00:00,
        moved to Monday 08:00; with the Monday a holiday, Tuesday 08:00."""
        rule = self.make_rule(
            name="Working day after the deadline",
            trigger="on_date",
            user_id=self.sales_manager.id,
            date_field_id=self.field("date_deadline").id,
            date_offset=1,
            date_offset_unit="work_days",
            working_hours_only=True,
            actions=[self.field_update("description", "late")],
        )
        with freeze_time(FRIDAY_10):
            self.assertEqual(
                rule._date_rule_eta(date(2026, 1, 16)), utc(2026, 1, 19, 8)
            )
            self.holiday(date(2026, 1, 19))
            self.assertEqual(
                rule._date_rule_eta(date(2026, 1, 16)), utc(2026, 1, 20, 8)
            )
            with self.trap_jobs() as trap:
                lead = self.new_lead(date_deadline=date(2026, 1, 16))
                job = trap.assert_enqueued(count=1, rule=rule, records=lead)
            self.assertEqual(job.eta, utc(2026, 1, 20, 8))

    # -- a schedule changed after the job was queued -----------------------

    def test_daily_check_moves_a_job_when_a_holiday_is_entered(self):
        rule = self.delayed_rule(2, "work_hours")
        other = self.delayed_rule(2, "hours")
        with freeze_time(FRIDAY_17), self.trap_jobs() as trap:
            lead = self.new_lead()
            job = trap.assert_enqueued(count=1, rule=rule, records=lead)
            clock_job = trap.assert_enqueued(count=1, rule=other, records=lead)
        self.assertEqual(job.eta, utc(2026, 1, 12, 10))
        Job = self.env["crm.workflow.job"]
        saturday = utc(2026, 1, 10, 12)
        self.assertFalse(Job._cron_recompute_working_etas(now=saturday))
        self.holiday(date(2026, 1, 12))
        moved = Job._cron_recompute_working_etas(now=saturday)
        self.assertEqual(moved, job)
        self.assertEqual(job.eta, utc(2026, 1, 13, 10))
        self.assertEqual(clock_job.eta, utc(2026, 1, 9, 19))

    def test_a_date_job_due_before_the_daily_check_is_rescheduled(self):
        """A holiday entered after the date job was queued: at its old due
        time the job gives way to one at the new due time, not to nothing."""
        rule = self.make_rule(
            name="Working hour after the deadline",
            trigger="on_date",
            user_id=self.sales_manager.id,
            date_field_id=self.field("date_deadline").id,
            date_offset=2,
            date_offset_unit="work_hours",
            actions=[self.field_update("description", "late")],
        )
        with freeze_time(FRIDAY_10), self.trap_jobs() as trap:
            lead = self.new_lead(date_deadline=date(2026, 1, 12))
            job = trap.assert_enqueued(count=1, rule=rule, records=lead)
            self.assertEqual(job.eta, utc(2026, 1, 12, 10))
            self.holiday(date(2026, 1, 12))
            trap.run(at=utc(2026, 1, 12, 10))
            self.assertEqual(job.state, "cancelled")
            new = trap.assert_enqueued(rule=rule, records=lead, state="pending")
            self.assertEqual(new.mapped("eta"), [utc(2026, 1, 13, 10)])
            self.assertFalse(lead.description)
            trap.run(at=utc(2026, 1, 13, 10))
        self.assertIn("late", lead.description or "")

    # -- the wait of "Email not answered" ------------------------------------

    def email_customer(self, lead):
        customer = self.env["res.partner"].create(
            {"name": "Carla Customer", "email": "carla@customer.example.com"}
        )
        return lead.with_user(self.salesman).message_post(
            body="Here is our offer.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=customer.ids,
        )

    def test_email_not_answered_within_two_working_hours_of_friday_17(self):
        rule = self.make_rule(
            name="No answer",
            trigger="on_email_not_answered",
            user_id=self.sales_manager.id,
            no_reply_delay=2,
            no_reply_unit="work_hours",
            actions=[self.set_priority()],
        )
        with freeze_time(FRIDAY_17), self.trap_jobs() as trap:
            lead = self.new_lead()
            self.email_customer(lead)
            job = trap.assert_enqueued(count=1, rule=rule, records=lead)
            self.assertEqual(job.eta, utc(2026, 1, 12, 10))
            trap.run(at=utc(2026, 1, 12, 9, 59))
            self.assertEqual(self.read_back(lead).priority, "0", "not yet")
            trap.run(at=utc(2026, 1, 12, 10))
        self.assertEqual(self.read_back(lead).priority, "3")

    def test_email_not_answered_trigger_skips_the_holiday(self):
        trigger = self.trigger(
            self.s2, "email_not_answered", no_reply_delay=1, no_reply_unit="work_days"
        )
        self.assertEqual(trigger.summary.count("1 working days"), 1, trigger.summary)
        self.holiday(date(2026, 1, 12))
        with freeze_time(FRIDAY_10), self.trap_jobs() as trap:
            lead = self.new_lead()
            self.email_customer(lead)
            job = trap.jobs.filtered(lambda j: j.trigger_id == trigger)
            self.assertEqual(job.eta, utc(2026, 1, 13, 10))
            trap.run(at=utc(2026, 1, 13, 10))
        self.assertEqual(self.read_back(lead).stage_id, self.s2)
