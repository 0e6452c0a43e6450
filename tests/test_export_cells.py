from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contacts import exports, phones


@pytest.mark.parametrize(
    "cell",
    [
        "=SUM(A1)",
        "+1 555",
        "-2+3",
        "@cmd",
        "\tx",
        "\rx",
        "\uff1dSUM(A1)",  # the full-width equals sign
        "\uff0b1 555",
        "\uff0d2+3",
        "\uff20cmd",
    ],
)
def test_it_neutralizes_formula_triggers(cell):
    assert exports.neutralize(cell) == "'" + cell


@pytest.mark.parametrize(
    ("phone", "region", "cell"),
    [
        ("+46 8 555 0101", None, "+4685550101"),
        ("+46 (0)8-555 01 01", "US", "+4685550101"),
        ("08-555 010 1", "SE", "+4685550101"),
        ("\uff0b46 8 555 0101", None, "+4685550101"),
        ("08-555 010 1", None, "08-555 010 1"),
        ("+1 555 0100", None, "'+1 555 0100"),
        ("+46 8 555 0101 ext. 12", None, "'+46 8 555 0101 ext. 12"),
        ('=HYPERLINK("http://x")', "SE", '\'=HYPERLINK("http://x")'),
        ("+cmd|' /C calc'!A0", None, "'+cmd|' /C calc'!A0"),
        ("", "SE", ""),
    ],
)
def test_it_writes_a_valid_phone_number_as_e164_and_anything_else_as_text(phone, region, cell):
    # The E.164 form is worked out when the number is stored, in the conference's country.
    assert exports.phone_cell(phone, phones.e164(phone, region)) == cell


@pytest.mark.parametrize("cell", ["Dana", "", "1+1", " =x"])
def test_it_leaves_plain_text_alone(cell):
    assert exports.neutralize(cell) == cell


@pytest.mark.parametrize(
    ("priority", "expected"), [(100, 1), (50, 3), (20, 5), (5, 7), (0, 9), (-5, 9)]
)
def test_it_maps_priority_to_icalendar(priority, expected):
    assert exports.ical_priority(priority) == expected


# Zones with daylight saving at whole hours, at half past (Adelaide), by half an hour
# (Lord Howe), and offsets that are not whole hours (Kolkata, Kathmandu).
ZONES = [
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Australia/Adelaide",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Asia/Kathmandu",
]


@given(
    zone=st.sampled_from(ZONES),
    moments=st.lists(
        st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31)),
        min_size=1,
        max_size=20,
    ),
    postgres=st.booleans(),
)
def test_local_minutes_match_a_plain_time_zone_conversion(zone, moments, postgres):
    local_minutes = exports.LocalMinutes(ZoneInfo(zone))
    for moment in moments:
        # How the databases print a UTC timestamp as text.
        text = f"{moment:%Y-%m-%d %H:%M:%S.%f}" + ("+00" if postgres else "")
        expected = moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))
        assert local_minutes(text) == expected.isoformat(timespec="minutes")


class HalfPastSwitch(tzinfo):
    """A made-up zone: UTC+1, then UTC+2 from 15:30 UTC on 3 October 2026."""

    switch = datetime(2026, 10, 3, 15, 30)

    def utcoffset(self, dt: datetime) -> timedelta:
        moved = dt.replace(tzinfo=None) >= self.switch + timedelta(hours=2)
        return timedelta(hours=2 if moved else 1)

    def dst(self, dt: datetime) -> timedelta:
        return timedelta(0)

    def fromutc(self, dt: datetime) -> datetime:
        utc = dt.replace(tzinfo=None)
        return (utc + timedelta(hours=2 if utc >= self.switch else 1)).replace(tzinfo=self)


def test_local_minutes_follow_an_offset_change_inside_an_hour():
    local_minutes = exports.LocalMinutes(HalfPastSwitch())
    seen = [local_minutes(f"2026-10-03 15:{minute}:00") for minute in ("00", "29", "30", "59")]
    assert seen == [
        "2026-10-03T16:00+01:00",
        "2026-10-03T16:29+01:00",
        "2026-10-03T17:30+02:00",
        "2026-10-03T17:59+02:00",
    ]
