"""Console fixtures: deterministic data made through the services, an app with that Ctx."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest
from rich.segment import Segment

from models.context import Ctx
from models.licenses import create_license
from models.organizations import create_organization
from models.views import InviteRequest, StaffRef
from tui.app import LicenseDeskApp


@dataclass(frozen=True)
class Data:
    acme: int
    acme_license: int
    bright: int
    bright_license: int
    invitations: dict[str, int]


def make_data(ctx: Ctx, staff: StaffRef, extra_orgs: int = 8) -> Data:
    acme = create_organization(ctx, staff, name="Acme Analytics", client_name="Ada Lovelace",
                               client_email="ada@acme.example", data_center="eu")
    acme_license, result = create_license(
        ctx, staff, organization_id=acme, product_key="livechat", trial_days=14,
        invites=[InviteRequest("bob@acme.example", "Agent"),
                 InviteRequest("carol@acme.example", "Administrator"),
                 InviteRequest("dave@acme.example", "Agent")])
    bright = create_organization(ctx, staff, name="Bright Books", client_name="Ben Bright",
                                 client_email="ben@bright.example")
    bright_license, result2 = create_license(
        ctx, staff, organization_id=bright, product_key="helpdesk", paid=True,
        plan="team", seats=5, payer="client",
        invites=[InviteRequest("eve@bright.example", "Viewer")])
    for i in range(extra_orgs):
        create_organization(ctx, staff, name=f"Client {i:02d} Co", client_name=f"Owner {i:02d}",
                            client_email=f"owner{i:02d}@client{i:02d}.example")
    invitations = {o.email: o.invitation_id or 0
                   for o in (*result.outcomes, *result2.outcomes)}
    return Data(acme, acme_license, bright, bright_license, invitations)


@pytest.fixture
def data(ctx: Ctx, staff: StaffRef) -> Data:
    return make_data(ctx, staff)


@pytest.fixture
def app(ctx: Ctx, staff: StaffRef, data: Data) -> LicenseDeskApp:
    return LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False, poll=0.2)


async def workers_done(app: Any) -> None:
    """Every worker running now has finished, failed or been cancelled. Not the manager's
    wait_for_complete(): it raises a worker's failure, but only if the worker is still running
    when the wait starts, so a refusal the screen shows failed a test on a busy run only."""
    await asyncio.gather(*(w.wait() for w in list(app.workers)), return_exceptions=True)


async def settle(pilot: Any, rounds: int = 3) -> None:
    """Let workers finish and their results paint (a result may start another worker)."""
    for _ in range(rounds):
        await workers_done(pilot.app)
        await pilot.pause()


async def until(pilot: Any, check: Any, timeout: float = 5.0) -> None:
    """Wait (bounded) for something another thread or process causes; polls every 50 ms."""
    for _ in range(int(timeout / 0.05)):
        if check():
            return
        await pilot.pause(0.05)
    assert check(), "condition not reached in time"


def palette_highlight(app: Any) -> str:
    """The command palette's highlighted row ("" without a palette or a highlight)."""
    from textual.command import CommandList, CommandPalette

    palette = app.screen
    if not isinstance(palette, CommandPalette):
        return ""
    hits = palette.query_one(CommandList)
    if hits.highlighted is None:
        return ""
    return str(hits.get_option_at_index(hits.highlighted).prompt)


async def palette_pick(pilot: Any, query: str, command: str) -> None:
    """Type `query` into the command palette, then wait until its search has finished and the
    highlighted command reads `command`: the palette fills its list in batches as providers
    answer, and a key pressed before the last batch may land on another row (or none)."""
    await pilot.press("ctrl+p", *query)
    await settle(pilot)
    await until(pilot, lambda: command in palette_highlight(pilot.app))


def segments(app: Any) -> list[Segment]:
    """Everything the current screen paints, as Rich segments."""
    out: list[Segment] = []
    for strip in app.screen._compositor.render_strips():
        out.extend(strip)
    return out


def screen_text(app: Any) -> str:
    return "\n".join("".join(seg.text for seg in strip)
                     for strip in app.screen._compositor.render_strips())


def table_rows(app: Any, selector: str) -> list[list[str]]:
    from textual.widgets import DataTable

    table = app.screen.query_one(selector, DataTable)
    return [[str(getattr(c, "plain", c)) for c in table.get_row_at(i)]
            for i in range(table.row_count)]
