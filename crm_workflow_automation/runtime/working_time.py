# Copyright 2026 CRM Workflow Automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Delays counted in the working time of a ``resource.calendar``: one place
for rules' scheduled actions, robots' delays and date rules' offsets, on top
of the calendar's own planning (``plan_hours``, ``_work_intervals_batch``),
so that public holidays and leaves the calendar knows are skipped.

Datetimes here are naive UTC, as the ORM stores them; the calendar counts in
its own time zone (``resource.calendar.tz``)."""

from datetime import datetime, time, timedelta

import pytz

WORKING_UNITS = ("work_hours", "work_days")
# how far ahead the next working moment is looked for (a long shutdown)
SEARCH_WINDOW = timedelta(days=366)
STEP = timedelta(days=14)


def _aware(moment):
    return pytz.utc.localize(moment) if moment.tzinfo is None else moment


def _naive_utc(moment):
    return moment.astimezone(pytz.utc).replace(tzinfo=None)


def _intervals(calendar, start, stop):
    """The working intervals (aware datetimes) between two aware moments,
    leaves and public holidays (leaves with no resource) removed."""
    return calendar._work_intervals_batch(start, stop, compute_leaves=True)[False]


def next_working_moment(calendar, moment):
    """``moment`` when it is within the working hours of ``calendar`` (an
    interval's end counts as within), else the start of the next one; None
    when there is none within a year."""
    start = _aware(moment)
    cursor = start - timedelta(minutes=1)
    while cursor < start + SEARCH_WINDOW:
        for begin, end, _meta in _intervals(calendar, cursor, cursor + STEP):
            if end >= start:
                return _naive_utc(max(begin, start))
        cursor += STEP
    return None


def _working_dates(calendar, start, stop):
    """The local dates that have working time between two aware moments."""
    tz = pytz.timezone(calendar.tz or "UTC")
    return sorted(
        {
            begin.astimezone(tz).date()
            for begin, _e, _m in _intervals(calendar, start, stop)
        }
    )


def add_working_days(calendar, moment, days):
    """``days`` working days after (negative: before) ``moment``, at the same
    local time: Friday 10:00 + 1 working day is Monday 10:00 when the weekend
    and the holidays of the calendar do not work."""
    tz = pytz.timezone(calendar.tz or "UTC")
    local = _aware(moment).astimezone(tz)
    if not days:
        return moment
    sign = 1 if days > 0 else -1
    wanted = abs(days)
    day = local.date()
    found = []
    cursor = datetime.combine(day, time.min)
    for _n in range(int(SEARCH_WINDOW / STEP) + wanted // 10 + 1):
        if sign > 0:
            start = tz.localize(cursor + timedelta(days=1))
            stop = start + STEP
            cursor += STEP
            dates = [d for d in _working_dates(calendar, start, stop) if d > day]
        else:
            stop = tz.localize(cursor)
            start = stop - STEP
            cursor -= STEP
            dates = [d for d in _working_dates(calendar, start, stop) if d < day]
            dates.reverse()
        for date in dates:
            if date not in found:
                found.append(date)
            if len(found) == wanted:
                target = datetime.combine(date, local.time().replace(tzinfo=None))
                return _naive_utc(tz.localize(target))
    return None


def add_working_time(calendar, moment, amount, unit):
    """``amount`` working hours or days after ``moment`` (naive UTC) in
    ``calendar``; None when the calendar has no such working time."""
    if unit == "work_days":
        return add_working_days(calendar, moment, amount or 0)
    planned = calendar.plan_hours(amount or 0, _aware(moment), compute_leaves=True)
    return _naive_utc(planned) if planned else None


def working_calendar(choice, user, company):
    """The working schedule a delay counts in: the responsible's when chosen
    and they have one (Bitrix24's "respect the working hours of the
    responsible"), else the company's."""
    calendar = choice == "responsible" and user.resource_calendar_id
    return calendar or company.resource_calendar_id
