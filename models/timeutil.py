"""Aware-UTC time, an injectable clock, and durations like `48h`, `90s`, `7d`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock tests move by hand instead of sleeping."""

    current: datetime = field(default_factory=lambda: datetime(2026, 1, 5, 9, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([smhdw])")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
# timedelta's own limit (999999999 days); past it timedelta raises OverflowError, not ValueError.
_MAX_SECONDS = timedelta.max.total_seconds()


def parse_duration(text: str | int | float | timedelta) -> timedelta:
    """`48h`, `90s`, `1d12h`, or a number of seconds; ValueError for anything else.

    Never negative, and never past what timedelta holds. Bounds that make sense for one
    setting (positive, at most ten years) are the caller's: see models.settings.
    """
    if isinstance(text, timedelta):
        return text
    if isinstance(text, bool):
        raise ValueError(f"not a duration: {text!r} (use e.g. 90s, 15m, 48h, 7d)")
    if isinstance(text, int | float):
        try:
            seconds = float(text)
        except OverflowError:  # an int too large for a float
            raise ValueError(f"duration too long: {text!r}") from None
    elif isinstance(text, str):
        s = text.strip().lower().replace(" ", "")
        if _NUMBER.fullmatch(s):
            seconds = float(s)
        else:
            parts = _PART.findall(s)
            if not parts or "".join(f"{n}{u}" for n, u in parts) != s:
                raise ValueError(f"not a duration: {text!r} (use e.g. 90s, 15m, 48h, 7d)")
            seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    else:
        raise ValueError(f"not a duration: {text!r} (use e.g. 90s, 15m, 48h, 7d)")
    if seconds != seconds or seconds < 0:  # NaN, or a negative number of seconds
        raise ValueError(f"not a duration: {text!r} (a duration is 0 or more)")
    if seconds >= _MAX_SECONDS:
        raise ValueError(f"duration too long: {text!r}")
    return timedelta(seconds=seconds)


def as_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime refused: {value!r}; use an aware UTC time")
    return value.astimezone(UTC)
