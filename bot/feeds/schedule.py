"""Digest schedules: the human forms `/digest add` takes, turned into a cron expression
evaluated in an IANA time zone.

    daily 08:00          every day at 08:00            -> "0 8 * * *"
    weekdays 17:30       Monday to Friday at 17:30     -> "30 17 * * 1-5"
    weekly mon 09:00     every Monday at 09:00         -> "0 9 * * 1"
    every 6h             at 00:00, 06:00, 12:00, 18:00 -> "0 */6 * * *" (N divides 24)

The times are wall-clock times in the schedule's zone, and the arithmetic is cronsim's
with zoneinfo's zone data (the `tzdata` package where the system has none), never ours.
Across a DST change it does what Debian's cron does: a time that does not exist that day
(02:30 on a spring-forward night in Paris) fires at the first minute that does (03:00), and
a time that happens twice (02:30 on the autumn night) fires once, at the first of the two.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from dataclasses import dataclass

from cronsim import CronSim, CronSimError

from bot.errors import InputError

FORMS = (
    "`daily 08:00`, `weekdays 17:30`, `weekly mon 09:00` or `every 6h` "
    "(24-hour times; `every Nh` with N dividing 24)"
)
DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # cron's numbering: 0 is Sunday
_DAY_NAMES = {
    **{d: n for n, d in enumerate(DAYS)},
    **{name: n for n, name in enumerate(
        ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"))},
}  # fmt: skip
_TIME = r"(?P<h>\d{1,2})[:h.](?P<m>\d{2})"
_DAILY = re.compile(rf"^(?:daily|every day)\s+(?:at\s+)?{_TIME}$")
_WEEKDAYS = re.compile(rf"^weekdays\s+(?:at\s+)?{_TIME}$")
_WEEKLY = re.compile(rf"^weekly\s+(?:on\s+)?(?P<d>[a-z]+)\s+(?:at\s+)?{_TIME}$")
_EVERY = re.compile(r"^every\s+(?P<n>\d{1,2})\s*(?:h|hr|hrs|hour|hours)$")
ZONE_MAX = 64


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: its normal form (`text`), cron expression and time zone."""

    text: str
    cron: str
    timezone: str

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def next_after(self, when: dt.datetime) -> dt.datetime:
        """The first time it fires strictly after `when` (aware, in UTC)."""
        local = _aware(when).astimezone(self.zone).replace(microsecond=0)
        return next(CronSim(self.cron, local)).astimezone(dt.UTC)

    def latest_at(self, when: dt.datetime) -> dt.datetime:
        """The last time it fired at or before `when` (aware, in UTC)."""
        # cronsim's reverse iteration starts strictly before its start: one second on.
        local = _aware(when).astimezone(self.zone).replace(microsecond=0)
        return next(CronSim(self.cron, local + dt.timedelta(seconds=1), reverse=True)).astimezone(
            dt.UTC
        )

    def before(self, fire: dt.datetime) -> dt.datetime:
        """The time it fired before `fire` (the start of the period that `fire` ends)."""
        local = _aware(fire).astimezone(self.zone).replace(microsecond=0)
        return next(CronSim(self.cron, local, reverse=True)).astimezone(dt.UTC)


def _aware(when: dt.datetime) -> dt.datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def check_timezone(name: str) -> str:
    """The IANA zone name as zoneinfo knows it; InputError with examples otherwise."""
    name = name.strip()
    if not name or len(name) > ZONE_MAX or name.startswith(("/", ".")) or ".." in name:
        raise InputError(_zone_help(name))
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        # "europe/paris", "utc": the zone's own spelling, when it is one
        spelled = _zones().get(name.casefold())
        if spelled is None:
            raise InputError(_zone_help(name)) from None
        return spelled
    return name


@functools.cache
def _zones() -> dict[str, str]:
    return {zone.casefold(): zone for zone in zoneinfo.available_timezones()}


def _zone_help(name: str) -> str:
    shown = f"`{name[:ZONE_MAX]}` is not" if name else "That is not"
    return (
        f"{shown} an IANA time zone name. Use one like `Europe/Paris`, `America/New_York`, "
        "`Asia/Tokyo` or `UTC`."
    )


def _clock(match: re.Match[str]) -> tuple[int, int]:
    hour, minute = int(match["h"]), int(match["m"])
    if hour > 23 or minute > 59:
        raise InputError(f"{match['h']}:{match['m']} is not a time of day (00:00 to 23:59).")
    return hour, minute


def parse_schedule(text: str, timezone: str) -> Schedule:
    """The schedule a user typed, in `timezone`; InputError naming the accepted forms."""
    zone = check_timezone(timezone)
    spoken = " ".join(text.casefold().split())
    if m := _DAILY.match(spoken):
        hour, minute = _clock(m)
        return _made(f"daily {hour:02d}:{minute:02d}", f"{minute} {hour} * * *", zone)
    if m := _WEEKDAYS.match(spoken):
        hour, minute = _clock(m)
        return _made(f"weekdays {hour:02d}:{minute:02d}", f"{minute} {hour} * * 1-5", zone)
    if m := _WEEKLY.match(spoken):
        day = _DAY_NAMES.get(m["d"])
        if day is None:
            raise InputError(
                f"`{m['d'][:20]}` is not a day: use mon, tue, wed, thu, fri, sat or sun."
            )
        hour, minute = _clock(m)
        text = f"weekly {DAYS[day]} {hour:02d}:{minute:02d}"
        return _made(text, f"{minute} {hour} * * {day}", zone)
    if m := _EVERY.match(spoken):
        hours = int(m["n"])
        if hours < 1 or hours > 24 or 24 % hours:
            raise InputError(
                f"`every {hours}h` does not divide the day: use 1, 2, 3, 4, 6, 8, 12 or 24."
            )
        cron = "0 0 * * *" if hours == 24 else f"0 */{hours} * * *"
        return _made(f"every {hours}h", cron, zone)
    raise InputError(f"I can't read the schedule `{text.strip()[:60]}`. Use {FORMS}.")


def _made(text: str, cron: str, zone: str) -> Schedule:
    try:
        schedule = Schedule(text, cron, zone)
        schedule.next_after(dt.datetime.now(dt.UTC))  # cronsim accepts it
    except (CronSimError, StopIteration) as exc:  # not reachable from the forms above
        raise InputError(f"I can't use the schedule `{text}`. Use {FORMS}.") from exc
    return schedule
