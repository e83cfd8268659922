"""Slowing down link guessing: unknown tokens are counted per client, valid links never wait.

The link is looked up first, and only an unknown or malformed token is counted and limited:
a valid link (and a used, expired or revoked one: a real link someone was sent) is always
answered at once, whatever its address did before. Past `soft` unknown tokens in the window
each further "not valid" answer is delayed a little more; past `hard` the address gets 429
for its unknown tokens (refusals are not counted, so the block lifts as the window slides).

The lookup stays cheap and the same for every token: one SHA-256 and one indexed equality
query on the hash, so its timing says nothing about how close a guess came. What bounds
guessing is the 256-bit token; the limiter bounds the cost and noise of a flood, and no
flood, from the same address or behind the same proxy, can lock a valid link out.

A client is an IPv4 address or an IPv6 /64 (one host usually owns a whole /64), as seen
through the trusted proxies (signup.proxies). Time comes from the injected clock, so tests
move it instead of waiting.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from models.timeutil import Clock

Sleep = Callable[[float], Awaitable[None]]


def client_key(host: str) -> str:
    """What the limiter counts by: the IPv4 address, or the /64 of an IPv6 address."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host[:100]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


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
