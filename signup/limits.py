"""Slowing down link guessing: bad tokens are counted per client address.

Only unknown or malformed tokens count; a used or expired link is a real link someone was
sent. Past `soft` failures in the window each answer is delayed a little more; past `hard`
the address gets 429 until old failures leave the window. Time comes from the injected
clock, so tests move it instead of waiting.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from models.timeutil import Clock

Sleep = Callable[[float], Awaitable[None]]


class BadTokenLimiter:
    def __init__(
        self, clock: Clock, *, soft: int = 5, hard: int = 20,
        window: timedelta = timedelta(minutes=10), step: float = 0.5, max_delay: float = 4.0,
        sleep: Sleep = asyncio.sleep, max_clients: int = 4096,
    ) -> None:
        self.clock = clock
        self.soft, self.hard, self.window = soft, hard, window
        self.step, self.max_delay = step, max_delay
        self.sleep = sleep
        self.max_clients = max_clients
        # Touched only from the event loop thread, so no lock.
        self._fails: OrderedDict[str, deque[datetime]] = OrderedDict()

    def _recent(self, client: str) -> deque[datetime]:
        times = self._fails.get(client)
        if times is None:
            return deque()
        cutoff = self.clock.now() - self.window
        while times and times[0] <= cutoff:
            times.popleft()
        if not times:
            del self._fails[client]
        return times

    def retry_after(self, client: str) -> int:
        """Seconds until this address may try again; 0 when it is not blocked."""
        times = self._recent(client)
        if len(times) < self.hard:
            return 0
        # Blocked until enough old failures leave the window to fall under `hard`.
        oldest_needed = times[len(times) - self.hard]
        wait = (oldest_needed + self.window - self.clock.now()).total_seconds()
        return max(1, int(wait) + 1)

    def delay_for(self, client: str) -> float:
        over = len(self._recent(client)) - self.soft
        return 0.0 if over <= 0 else min(self.step * over, self.max_delay)

    def record_failure(self, client: str) -> None:
        times = self._fails.pop(client, None) or deque()
        times.append(self.clock.now())
        self._fails[client] = times  # most recent last, so eviction drops the stalest
        while len(self._fails) > self.max_clients:
            self._fails.popitem(last=False)

    async def slow_down(self, client: str) -> float:
        delay = self.delay_for(client)
        if delay > 0:
            await self.sleep(delay)
        return delay
