"""Functions the multi-process tests run in child processes, each with its own Ctx and clock.

Children are forked (fast, no re-import); the parent disposes its engine first so no pooled
connection crosses the fork.
"""

from __future__ import annotations

import multiprocessing
import random
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from models.context import Ctx
from models.settings import Settings
from models.timeutil import FixedClock

FORK = multiprocessing.get_context("fork")


@dataclass(frozen=True)
class Where:
    """How a child reaches the parent's database: plain values that survive a fork or pickle."""

    url: str | None
    data_dir: Path
    rate_limit: int = 200

    @classmethod
    def of(cls, ctx: Ctx) -> Where:
        s = ctx.settings
        return cls(s.database_url, s.data_dir, s.rate_limit_per_org)

    def ctx(self, at: datetime | None = None) -> Ctx:
        settings = Settings(data_dir=self.data_dir, database_url=self.url,
                            staff_email="sam@partner.example", staff_name="Sam Support",
                            rate_limit_per_org=self.rate_limit)
        clock = FixedClock(at) if at else FixedClock()
        return Ctx.open(settings, clock=clock, upgrade=False)


def run_all(target: Any, args_list: list[tuple[Any, ...]], timeout: float = 60) -> list[Any]:
    """Start one child per args tuple, all at once; return what each put on the queue."""
    queue = FORK.Queue()
    procs = [FORK.Process(target=_wrap, args=(target, queue, i, *args))
             for i, args in enumerate(args_list)]
    for p in procs:
        p.start()
    results: dict[int, Any] = {}
    for _ in procs:
        i, value = queue.get(timeout=timeout)
        results[i] = value
    for p in procs:
        p.join(timeout=timeout)
        assert p.exitcode == 0, f"child exited with {p.exitcode}"
    return [results[i] for i in range(len(procs))]


def _wrap(target: Any, queue: Any, index: int, *args: Any) -> None:
    try:
        value = target(*args)
    except Exception as err:  # the parent asserts on it
        value = ("error", type(err).__name__, str(err))
    queue.put((index, value))


def scan_at(where: Where, at: datetime, barrier: Barrier) -> int:
    from models.scans import scan_overdue

    ctx = where.ctx(at)
    barrier.wait(timeout=30)
    try:
        return scan_overdue(ctx)
    finally:
        ctx.db.dispose()


def accept_at(where: Where, at: datetime, token: str, name: str, barrier: Barrier) -> Any:
    from models.accept import accept
    from models.errors import TokenProblem

    ctx = where.ctx(at)
    barrier.wait(timeout=30)
    try:
        return ("ok", accept(ctx, token, name, "correct horse battery").account_id)
    except TokenProblem as err:
        return ("refused", err.state)
    finally:
        ctx.db.dispose()


def invite_one_by_one(where: Where, at: datetime, license_id: int, prefix: str, tries: int,
                      barrier: Barrier) -> int:
    """Invite `tries` addresses one call at a time; how many calls got through."""
    from models.errors import DomainError
    from models.invitations import invite
    from models.staff import ensure_staff
    from models.views import InviteRequest

    ctx = where.ctx(at)
    me = ensure_staff(ctx)
    barrier.wait(timeout=30)
    ok = 0
    try:
        for n in range(tries):
            try:
                invite(ctx, me, license_id, [InviteRequest(f"{prefix}{n}@client.example",
                                                           "Agent")])
                ok += 1
            except DomainError:
                pass
        return ok
    finally:
        ctx.db.dispose()


def invite_forever(where: Where, at: datetime, license_id: int, seed: int) -> None:
    """Invite and resend in a tight loop until killed."""
    from models.errors import DomainError
    from models.invitations import invite, resend
    from models.staff import ensure_staff
    from models.views import InviteRequest

    rng = random.Random(seed)
    ctx = where.ctx(at)
    me = ensure_staff(ctx)
    made: list[int] = []
    n = 0
    while True:
        n += 1
        try:
            if made and rng.random() < 0.3:
                resend(ctx, me, rng.sample(made, min(len(made), rng.randint(1, 3))))
            else:
                rows = [InviteRequest(f"k{seed}-{n}-{j}@client.example", "Agent")
                        for j in range(rng.randint(1, 4))]
                made += [o.invitation_id or 0 for o in invite(ctx, me, license_id, rows).invited]
        except DomainError:
            pass
