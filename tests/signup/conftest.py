"""Signup page fixtures: a real SQLite file (tests/conftest.py), an invitation whose raw
token comes from claiming its outbox row, and an httpx client on the ASGI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from models.context import Ctx
from models.licenses import create_license
from models.organizations import create_organization
from models.outbox import claim
from models.timeutil import FixedClock
from models.views import InviteRequest, StaffRef
from signup.app import create_app
from signup.limits import BadTokenLimiter


@dataclass(frozen=True)
class Invited:
    token: str
    invitation_id: int
    license_id: int
    email: str

    @property
    def path(self) -> str:
        return f"/invite/{self.token}"


def new_invitation(ctx: Ctx, staff: StaffRef, email: str = "ines@client.example",
                   role: str = "Agent", org: str = "Acme Dental", take: bool = True) -> Invited:
    """An invitation on a new LiveChat license; with take=False its mail stays queued for
    the relay, and the token is unknown to the test."""
    owner = f"owner{sum(map(ord, org))}@client.example"
    org_id = create_organization(ctx, staff, name=org, client_name="Olga Owner",
                                 client_email=owner)
    license_id, result = create_license(ctx, staff, organization_id=org_id,
                                        product_key="livechat",
                                        invites=[InviteRequest(email, role)])
    return Invited(token=claimed_token(ctx) if take else "",
                   invitation_id=result.invited[0].invitation_id or 0,
                   license_id=license_id, email=email)


def claimed_token(ctx: Ctx) -> str:
    """The raw token, as only the relay ever sees it: unsealed from the claimed outbox row."""
    mails = [m for m in claim(ctx, "test") if m.token]
    assert len(mails) == 1, mails
    assert mails[0].token is not None
    return mails[0].token


class RecordedSleep:
    """The limiter's delays, recorded instead of slept: tests move the clock by hand."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def invited(ctx: Ctx, staff: StaffRef) -> Invited:
    return new_invitation(ctx, staff)


@pytest.fixture
def sleeps() -> RecordedSleep:
    return RecordedSleep()


@pytest.fixture
def limiter(clock: FixedClock, sleeps: RecordedSleep) -> BadTokenLimiter:
    return BadTokenLimiter(clock, sleep=sleeps)


@pytest.fixture
async def client(ctx: Ctx, limiter: BadTokenLimiter) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(ctx, limiter=limiter),
                                    client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://signup.test") as c:
        yield c


def form_of(html: str) -> dict[str, str]:
    """The hidden CSRF field of a rendered form."""
    import re

    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, "no CSRF field in the form"
    return {"csrf": found.group(1)}


async def open_form(client: httpx.AsyncClient, inv: Invited) -> dict[str, str]:
    resp = await client.get(inv.path)
    assert resp.status_code == 200, resp.text
    return form_of(resp.text)


GOOD_PASSWORD = "correct horse battery"


def server_log(caplog: pytest.LogCaptureFixture) -> str:
    """What the server side logged; httpx, standing in for the browser, logs URLs itself."""
    return "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records
                     if not r.name.startswith(("httpx", "httpcore")))
