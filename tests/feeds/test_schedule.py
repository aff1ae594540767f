"""Digest schedules: the human forms, their validation, and the times they fire across
DST changes, with the real zone data (zoneinfo)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.errors import InputError
from bot.feeds.schedule import FORMS, check_timezone, parse_schedule

UTC = dt.UTC


def at(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "text", "cron"),
    [
        ("daily 08:00", "daily 08:00", "0 8 * * *"),
        ("  Daily   8:05 ", "daily 08:05", "5 8 * * *"),
        ("every day at 23:59", "daily 23:59", "59 23 * * *"),
        ("weekdays 17:30", "weekdays 17:30", "30 17 * * 1-5"),
        ("weekly mon 09:00", "weekly mon 09:00", "0 9 * * 1"),
        ("weekly Sunday 07:15", "weekly sun 07:15", "15 7 * * 0"),
        ("every 6h", "every 6h", "0 */6 * * *"),
        ("every 1 hour", "every 1h", "0 */1 * * *"),
        ("every 24h", "every 24h", "0 0 * * *"),
    ],
)
def test_the_human_forms_become_cron(typed: str, text: str, cron: str) -> None:
    schedule = parse_schedule(typed, "Europe/Paris")
    assert (schedule.text, schedule.cron, schedule.timezone) == (text, cron, "Europe/Paris")


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("tomorrow", "I can't read the schedule `tomorrow`"),
        ("daily 25:00", "25:00 is not a time of day"),
        ("daily 08:61", "08:61 is not a time of day"),
        ("weekly funday 09:00", "`funday` is not a day"),
        ("every 5h", "`every 5h` does not divide the day"),
        ("every 0h", "`every 0h` does not divide the day"),
        ("0 8 * * *", "I can't read the schedule"),
        ("", "I can't read the schedule"),
    ],
)
def test_a_schedule_it_cannot_read_is_refused_with_the_forms(typed: str, says: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_schedule(typed, "UTC")
    assert says in str(caught.value)
    if "read the schedule" in says:
        assert FORMS in str(caught.value)


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../etc/passwd", "/etc/localtime",
                                  "Europe/" + "x" * 80, "CEST"])  # fmt: skip
def test_an_unknown_time_zone_is_refused_with_examples(zone: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_schedule("daily 08:00", zone)
    assert "IANA time zone" in str(caught.value) and "Europe/Paris" in str(caught.value)


def test_known_zones_are_accepted() -> None:
    for zone in ("UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"):
        assert check_timezone(f" {zone} ") == zone
    assert check_timezone("europe/paris") == "Europe/Paris"  # in the zone's own spelling
    assert parse_schedule("daily 08:00", "utc").timezone == "UTC"


def test_daily_follows_the_wall_clock_across_both_dst_changes() -> None:
    paris = parse_schedule("daily 08:00", "Europe/Paris")
    # 2027: summer time from Sunday 28 March, winter time from Sunday 31 October.
    fires = [paris.next_after(at(2027, 3, 26, 12))]
    for _ in range(3):
        fires.append(paris.next_after(fires[-1]))
    assert fires == [at(2027, 3, 27, 7), at(2027, 3, 28, 6), at(2027, 3, 29, 6), at(2027, 3, 30, 6)]
    assert {f.astimezone(paris.zone).strftime("%H:%M") for f in fires} == {"08:00"}
    # The period that ends on the spring-forward day lasts 23 hours, the autumn one 25.
    assert fires[1] - paris.before(fires[1]) == dt.timedelta(hours=23)
    autumn = paris.next_after(at(2027, 10, 31, 0))
    assert autumn == at(2027, 10, 31, 7)
    assert autumn - paris.before(autumn) == dt.timedelta(hours=25)


def test_a_time_that_does_not_exist_fires_at_the_first_minute_that_does() -> None:
    # Paris, 28 March 2027: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist.
    paris = parse_schedule("daily 02:30", "Europe/Paris")
    fires = [paris.next_after(at(2027, 3, 27, 0))]
    for _ in range(2):
        fires.append(paris.next_after(fires[-1]))
    local = [f.astimezone(paris.zone).strftime("%d %H:%M %Z") for f in fires]
    assert local == ["27 02:30 CET", "28 03:00 CEST", "29 02:30 CEST"]
    assert fires == [at(2027, 3, 27, 1, 30), at(2027, 3, 28, 1), at(2027, 3, 29, 0, 30)]
    # Once, not again an hour later, and the latest fire seen from either side agrees.
    assert paris.latest_at(at(2027, 3, 28, 1, 59)) == at(2027, 3, 28, 1)
    assert paris.latest_at(at(2027, 3, 28, 0, 59)) == at(2027, 3, 27, 1, 30)


def test_a_time_that_happens_twice_fires_once() -> None:
    # Paris, 31 October 2027: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice.
    paris = parse_schedule("daily 02:30", "Europe/Paris")
    first = paris.next_after(at(2027, 10, 30, 12))
    assert first == at(2027, 10, 31, 0, 30)  # 02:30 CEST, the first of the two
    following = paris.next_after(first)
    assert following == at(2027, 11, 1, 1, 30)  # the next day's 02:30 CET, not 01:30 UTC
    # During the second 02:30 (CET), the latest fire is still the first one.
    assert paris.latest_at(at(2027, 10, 31, 1, 45)) == first


def test_latest_at_includes_the_exact_time_and_before_is_the_previous_fire() -> None:
    weekly = parse_schedule("weekly mon 09:00", "America/New_York")
    monday = at(2027, 3, 15, 13)  # 09:00 EDT (summer time since 14 March)
    assert weekly.latest_at(monday) == monday
    assert weekly.latest_at(monday - dt.timedelta(seconds=1)) == at(2027, 3, 8, 14)  # EST
    assert weekly.before(monday) == at(2027, 3, 8, 14)
    assert weekly.next_after(monday) == at(2027, 3, 22, 13)


def test_weekdays_skip_the_weekend_and_every_nh_follows_local_midnight() -> None:
    weekdays = parse_schedule("weekdays 17:30", "Asia/Tokyo")
    friday = weekdays.next_after(at(2027, 1, 8, 0))  # Friday 8 January
    assert friday.astimezone(weekdays.zone).strftime("%a %H:%M") == "Fri 17:30"
    assert weekdays.next_after(friday).astimezone(weekdays.zone).strftime("%a %d") == "Mon 11"
    every = parse_schedule("every 6h", "Asia/Kolkata")  # UTC+05:30
    fires = [every.next_after(at(2027, 1, 1, 0))]
    fires.append(every.next_after(fires[-1]))
    assert [f.astimezone(every.zone).strftime("%H:%M") for f in fires] == ["06:00", "12:00"]
    assert fires[0] == at(2027, 1, 1, 0, 30)
