"""Working-day calendars: working hours per weekday, holidays and adjusted working days (调休),
and arithmetic in working time (add N working hours or days to a moment). Pure: no clock, no
I/O. See docs/process.md, "Deadlines and working-day calendars"."""

from jimu.engines.calendar.document import CALENDAR_SCHEMA, calendar_errors
from jimu.engines.calendar.working_time import Calendar, CalendarError, load_calendar

__all__ = ["CALENDAR_SCHEMA", "Calendar", "CalendarError", "calendar_errors", "load_calendar"]
