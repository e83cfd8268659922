"""Exponential backoff with full jitter, and giving up."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from mailer.backoff import ceiling, gave_up, retry_delay

BASE, CAP = timedelta(seconds=30), timedelta(hours=1)


def test_ceiling_doubles_from_the_base_up_to_the_cap() -> None:
    assert [ceiling(n, BASE, CAP).total_seconds() for n in range(1, 10)] == [
        30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert ceiling(10_000, BASE, CAP) == CAP


def test_full_jitter_spreads_over_the_whole_range() -> None:
    rng = random.Random(7)
    delays = [retry_delay(4, BASE, CAP, rng).total_seconds() for _ in range(2000)]
    assert all(0 <= d <= 240 for d in delays)
    assert min(delays) < 5 and max(delays) > 235  # not a fixed delay, not half-jitter


def test_gives_up_only_after_the_configured_time() -> None:
    created = datetime(2026, 1, 1, tzinfo=UTC)
    limit = timedelta(days=4)
    assert not gave_up(created, created + limit - timedelta(seconds=1), limit)
    assert gave_up(created, created + limit, limit)
