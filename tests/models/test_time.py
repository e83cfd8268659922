"""Aware UTC in, aware UTC out, naive refused; durations; the injectable clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from models.context import Ctx
from models.tables import AuditEvent
from models.timeutil import FixedClock, as_utc, parse_duration

ZONES = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8)),
         timezone(timedelta(hours=14))]


def _store(ctx: Ctx, at: datetime) -> int:
    with ctx.db.write() as s:
        row = AuditEvent(at=at, actor="t", kind="test", detail="")
        s.add(row)
        s.flush()
        return row.id or 0


def _load(ctx: Ctx, row_id: int) -> datetime:
    with ctx.db.read() as s:
        return s.execute(select(AuditEvent.at).where(AuditEvent.id == row_id)).scalar_one()


@pytest.mark.parametrize("zone", ZONES, ids=str)
def test_aware_time_round_trips_as_the_same_instant_in_utc(dbctx: Ctx, zone: timezone) -> None:
    sent = datetime(2026, 3, 29, 1, 59, 59, 123456, tzinfo=zone)
    back = _load(dbctx, _store(dbctx, sent))
    assert back == sent
    assert back.utcoffset() == timedelta(0)
    assert back.microsecond == 123456


def test_order_in_sql_follows_the_instant_not_the_written_offset(dbctx: Ctx) -> None:
    # 10:00+05:00 is 05:00 UTC, before 06:00 UTC although "10" sorts after "06".
    early = datetime(2026, 1, 1, 10, 0, tzinfo=timezone(timedelta(hours=5)))
    late = datetime(2026, 1, 1, 6, 0, tzinfo=UTC)
    a, b = _store(dbctx, early), _store(dbctx, late)
    with dbctx.db.read() as s:
        ids = s.execute(select(AuditEvent.id).where(AuditEvent.id.in_([a, b]))  # type: ignore[union-attr]
                        .order_by(AuditEvent.at)).scalars().all()
        before = s.execute(select(AuditEvent.id).where(
            AuditEvent.at < datetime(2026, 1, 1, 5, 30, tzinfo=UTC))).scalars().all()
    assert ids == [a, b]
    assert before == [a]


def test_naive_time_is_refused_and_nothing_is_written(dbctx: Ctx) -> None:
    with pytest.raises((StatementError, ValueError), match="naive datetime refused"):
        _store(dbctx, datetime(2026, 1, 1, 12, 0))
    with dbctx.db.read() as s:
        assert s.execute(select(AuditEvent).where(AuditEvent.kind == "test")).first() is None


def test_as_utc_refuses_naive() -> None:
    with pytest.raises(ValueError, match="naive"):
        as_utc(datetime(2026, 1, 1))


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1),
                    timezones=st.sampled_from(ZONES)))
def test_as_utc_keeps_the_instant(value: datetime) -> None:
    out = as_utc(value)
    assert out == value and out.tzinfo is UTC


@given(st.integers(0, 10**6), st.sampled_from([("s", 1), ("m", 60), ("h", 3600), ("d", 86400),
                                                ("w", 604800)]))
def test_parse_duration_units(n: int, unit: tuple[str, int]) -> None:
    assert parse_duration(f"{n}{unit[0]}") == timedelta(seconds=n * unit[1])
    assert parse_duration(f" {n}{unit[0].upper()} ") == timedelta(seconds=n * unit[1])


@given(st.integers(0, 1000), st.integers(0, 23), st.integers(0, 59))
def test_parse_duration_compound_and_plain_seconds(d: int, h: int, m: int) -> None:
    assert parse_duration(f"{d}d{h}h{m}m") == timedelta(days=d, hours=h, minutes=m)
    assert parse_duration(str(d)) == timedelta(seconds=d)
    assert parse_duration(d) == timedelta(seconds=d)


@pytest.mark.parametrize("bad", ["", "h", "48x", "48h garbage", "-5h", "1d-2h", "ten minutes"])
def test_parse_duration_refuses_garbage(bad: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(bad)


def test_settings_read_durations_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from models.settings import Settings

    monkeypatch.setenv("LICENSEDESK_OVERDUE_AFTER", "90s")
    monkeypatch.setenv("LICENSEDESK_INVITE_EXPIRY", "2d12h")
    s = Settings()
    assert s.overdue_after == timedelta(seconds=90)
    assert s.invite_expiry == timedelta(days=2, hours=12)


def test_fixed_clock_moves_only_when_told() -> None:
    clock = FixedClock()
    start = clock.now()
    assert clock.now() == start and start.tzinfo is not None
    clock.advance(timedelta(hours=48, seconds=1))
    assert clock.now() - start == timedelta(hours=48, seconds=1)
