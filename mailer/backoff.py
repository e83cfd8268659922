"""When to try a mail again: exponential backoff with full jitter, and when to give up."""

from __future__ import annotations

import random
from datetime import datetime, timedelta


def ceiling(attempts: int, base: timedelta, cap: timedelta) -> timedelta:
    """The longest wait after the `attempts`-th failed attempt (1-based)."""
    exp = min(max(attempts, 1) - 1, 40)  # 2**40 * any base is past every sane cap
    return min(cap, base * (2 ** exp))


def retry_delay(
    attempts: int, base: timedelta, cap: timedelta, rng: random.Random | None = None
) -> timedelta:
    """Full jitter: anywhere in [0, ceiling], so relays that failed together spread out."""
    top = ceiling(attempts, base, cap).total_seconds()
    return timedelta(seconds=(rng or random).uniform(0, top))


def gave_up(created_at: datetime, now: datetime, give_up_after: timedelta) -> bool:
    return now - created_at >= give_up_after
