"""A minimal host app for the wizards and the data they are tried on."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import on
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from models.accept import accept
from models.context import Ctx
from models.desk import Desk
from models.invitations import invite
from models.licenses import create_license
from models.organizations import create_organization
from models.outbox import claim
from models.views import InviteRequest, StaffRef
from tests.tui.conftest import workers_done
from tui.messages import WorkFailed
from tui.prefs import cursor_blink

HOSTILE = [
    "[@click=app.quit]x[/]",
    "[/",
    "[bold red]loud",
    "\x1b[2J\x1b]0;pwned\x07",
    "\u202eevil\u202c@example.com",
    "x" * 300,
]


class WizardHost(App[None]):
    """Offers the desk like the real console (`desk`, `database_answered`, failures that no
    form showed), and pushes one wizard or dialog."""

    CSS_PATH = Path(__file__).parents[2] / "tui" / "app.tcss"

    def __init__(self, ctx: Ctx, staff: StaffRef, make: Callable[[], Screen[Any]]) -> None:
        super().__init__()
        self.ctx = ctx
        self.staff = staff
        self.desk = Desk(ctx, staff)
        self.blink = cursor_blink()  # as the console reads it (tests set it off)
        self._make = make
        self.results: list[Any] = []
        self.failures: list[BaseException] = []

    def compose(self) -> ComposeResult:
        yield Static("host")

    def on_mount(self) -> None:
        self.push_screen(self._make(), self.results.append)

    def database_answered(self, started: float) -> None:
        """The console ends an outage here; the host has none."""

    @on(WorkFailed)
    def _failed(self, message: WorkFailed) -> None:
        self.failures.append(message.error)


async def settle(pilot: Any) -> None:
    """Let workers finish (a preview's pause included) and their results paint; a result may
    start another worker."""
    for _ in range(4):
        await pilot.pause()
        await workers_done(pilot.app)
    await pilot.pause()


def screen_text(app: App[Any]) -> str:
    """What the terminal would be sent for the current screen, as plain text."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip) for strip in strips)


def row_parts(app: App[Any]) -> list[dict[str, str]]:
    """What the invite rows of the current screen show, row by row and part by part
    ("glyph", "address", "role", "lang", "meaning", "message"), as plain text: the focused
    row's widgets, the others as drawn."""
    from tui.widgets.invite_rows import InviteRows

    rows = app.screen.query_one(InviteRows)
    return [rows.parts(row) for row in rows.rows]


def click_actions(app: App[Any]) -> list[str]:
    """Any action links in what is painted: untrusted text must never create one."""
    found = []
    for strip in app.screen._compositor.render_strips():
        for seg in strip:
            meta = seg.style.meta if seg.style else {}
            if meta and "@click" in meta:
                found.append(str(meta["@click"]))
    return found


def make_org(ctx: Ctx, staff: StaffRef, name: str = "Acme Books",
             client_email: str = "owner@acme.example", dc: str = "eu") -> int:
    return create_organization(ctx, staff, name=name, client_name="Olga Owner",
                               client_email=client_email, data_center=dc)


def make_license(ctx: Ctx, staff: StaffRef, org_id: int, product: str = "livechat",
                 seats: int = 3) -> int:
    lic, _ = create_license(ctx, staff, organization_id=org_id, product_key=product,
                            paid=True, plan="team", seats=seats)
    return lic


def add_member(ctx: Ctx, staff: StaffRef, license_id: int, email: str, name: str) -> None:
    """An account on the license, made the way a real invitee makes one."""
    invite(ctx, staff, license_id, [InviteRequest(email, "Agent")])
    mails = [m for m in claim(ctx, "tests", 100) if m.to_addr == email]
    assert mails and mails[0].token
    accept(ctx, mails[0].token, name, "correct horse battery")
