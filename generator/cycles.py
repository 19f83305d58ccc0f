"""Dates of a profile: read leniently, and when a recurring activity (an exercise, a review) is
due again, by its cycle."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

# Months between two runs of a recurring activity (daily and weekly runs count days).
CYCLE_MONTHS = {"monthly": 1, "quarterly": 3, "half-yearly": 6, "yearly": 12}
CYCLE_DAYS = {"daily": 1, "weekly": 7}


def next_due(last: dt.date, cycle: str | None) -> dt.date | None:
    """When an activity done on ``last`` is due again; None for per-event or unknown cycles
    and beyond the calendar. Months are calendar months (31 January + 1 month: 28/29 February)."""
    if cycle in CYCLE_DAYS:
        try:
            return last + dt.timedelta(days=CYCLE_DAYS[cycle])
        except OverflowError:
            return None
    if cycle not in CYCLE_MONTHS:
        return None
    months = last.year * 12 + last.month - 1 + CYCLE_MONTHS[cycle]
    year, month = divmod(months, 12)
    if year > dt.MAXYEAR:
        return None
    days = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(last.day, days))


def parse_date(value: Any) -> dt.date | None:
    """A profile date (validated ISO text, or a date) as a date; None when absent or unreadable."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
