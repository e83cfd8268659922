"""Two submissions of one link at the same moment give exactly one account."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest

import models.accept
from models.context import Ctx
from models.queries import license_users
from models.views import StaffRef
from signup.app import create_app
from signup.limits import BadTokenLimiter
from tests.signup.conftest import GOOD_PASSWORD, new_invitation, open_form


async def test_two_posts_at_once_give_one_account(
        ctx: Ctx, staff: StaffRef, limiter: BadTokenLimiter,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Both requests are held at the door of the domain call until both have arrived, so
    # they really race inside models.accept (each in its own worker thread).
    barrier = threading.Barrier(2, timeout=10)
    real_accept = models.accept.accept

    def accept_together(*args: object) -> object:
        barrier.wait()
        return real_accept(*args)  # type: ignore[arg-type]

    monkeypatch.setattr("signup.app.accept", accept_together)
    app = create_app(ctx, limiter=limiter)
    for round_no in range(3):
        inv = new_invitation(ctx, staff, email=f"twin{round_no}@client.example",
                             org=f"Race Org {round_no}")
        clients = [httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://signup.test") for _ in range(2)]
        try:
            forms = [await open_form(c, inv) for c in clients]
            answers = await asyncio.gather(*(
                c.post(inv.path, data={**f, "name": f"Tab {i}", "password": GOOD_PASSWORD,
                                       "password2": GOOD_PASSWORD})
                for i, (c, f) in enumerate(zip(clients, forms, strict=True))))
        finally:
            for c in clients:
                await c.aclose()
        assert sorted(r.status_code for r in answers) == [200, 410]
        loser = next(r for r in answers if r.status_code == 410)
        assert "already used" in loser.text
        accounts = [u for u in license_users(ctx, inv.license_id, "active")
                    if u.email == inv.email]
        assert len(accounts) == 1
        barrier.reset()
