"""Times: aware datetimes in any zone in, aware UTC datetimes out."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import openlines
from conftest import T0, at, basic_config

ZONES = [
    timezone.utc,
    timezone(timedelta(hours=5, minutes=30)),
    timezone(timedelta(hours=-8)),
    ZoneInfo("Europe/Warsaw"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Asia/Kathmandu"),
]


def test_same_instant_in_any_zone_gives_same_actions() -> None:
    traces = []
    for zone in ZONES:
        e = openlines.Engine(basic_config())
        local = T0.astimezone(zone)
        a = e.handle(local, {"type": "client_message", "line": "sales", "client": "c"})
        b = e.advance((T0 + timedelta(seconds=60)).astimezone(zone))
        traces.append(a + b)
        deadline = e.next_deadline()
        assert deadline is not None and deadline.tzinfo is timezone.utc
        assert deadline == at(120)
    assert all(t == traces[0] for t in traces)
    offer = traces[0][1]
    assert isinstance(offer, openlines.Offer)
    assert offer.expires_at.tzinfo is timezone.utc and offer.expires_at == at(60)


def test_microseconds_are_kept() -> None:
    e = openlines.Engine(basic_config())
    t = datetime(2026, 11, 23, 9, 0, 0, 123456, tzinfo=ZoneInfo("Europe/Warsaw"))
    actions = e.handle(t, {"type": "client_message", "line": "sales", "client": "c"})
    assert actions[1].expires_at == t + timedelta(seconds=60)  # type: ignore[attr-defined]
    assert actions[1].to_dict()["expires_at"] == "2026-11-23T08:01:00.123456Z"
    assert e.now() == t


def test_dst_fold_is_respected() -> None:
    # 2026-10-25 02:30 happens twice in Warsaw; fold=1 is the later one (UTC+1).
    zone = ZoneInfo("Europe/Warsaw")
    first = datetime(2026, 10, 25, 2, 30, tzinfo=zone, fold=0)
    second = datetime(2026, 10, 25, 2, 30, tzinfo=zone, fold=1)
    e = openlines.Engine(basic_config())
    e.handle(first, {"type": "client_message", "line": "sales", "client": "c"})
    assert e.now() == datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc)
    e.advance(second)
    assert e.now() == datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc)


def test_backwards_in_another_zone_is_detected() -> None:
    e = openlines.Engine(basic_config())
    e.advance(T0)
    earlier = (T0 - timedelta(seconds=1)).astimezone(timezone(timedelta(hours=10)))
    assert earlier.replace(tzinfo=None) > T0.replace(tzinfo=None)  # later wall clock
    try:
        e.advance(earlier)
    except openlines.TimeError as err:
        assert err.kind == "time_went_backwards"
    else:
        raise AssertionError("expected TimeError")


def test_views_times_are_utc() -> None:
    e = openlines.Engine(basic_config())
    e.handle(T0.astimezone(ZoneInfo("Asia/Tokyo")), {"type": "client_message", "line": "sales", "client": "c"})
    view = e.dialog(1)
    assert view is not None
    assert view["opened_at"] == T0 and view["opened_at"].tzinfo is timezone.utc


def test_every_instant_round_trips_exactly() -> None:
    """Times before 1970 (negative days), at the ends of the accepted range and with
    every microsecond digit come back as the same instant."""
    zone = timezone(timedelta(hours=-3, minutes=-30))
    for when in [
        datetime(1, 1, 1, tzinfo=timezone.utc),
        datetime(1, 1, 1, 0, 0, 0, 1, tzinfo=timezone.utc),
        datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc),
        datetime(1970, 1, 1, tzinfo=timezone.utc),
        datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=zone),
        datetime(2026, 11, 23, 9, 0, 0, 987654, tzinfo=zone),
        datetime(9979, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc),
    ]:
        e = openlines.Engine(basic_config())
        assert e.advance(when) == []
        assert e.now() == when, when
