"""Issue 15: keys typed ahead land where they were typed. A burst (every key in one read, as
a laggy SSH link delivers them) is parsed by Textual's own terminal parser and posted at once;
Tab, shift+tab, Enter and ctrl+s in it move on exactly as the same keys typed slowly would,
and keys typed while a screen still loads wait for it."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from textual import work
from textual._xterm_parser import XTermParser
from textual.app import App, ComposeResult
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Input

from models.context import Ctx
from models.desk import Desk
from models.queries import list_orgs
from tests.tui.conftest import Data, settle, until
from tui import typeahead
from tui.app import LicenseDeskApp
from tui.exporting import ExportDialog
from tui.screens.identity import IdentityScreen
from tui.screens.invite_wizard import InviteWizard
from tui.screens.license_wizard import LicenseWizard
from tui.screens.new_org import NewOrgScreen
from tui.typeahead import TypeaheadApp
from tui.widgets.invite_rows import InviteRows

TAB, BACKTAB, ENTER, CTRL_S, CTRL_U, CTRL_Q = "\t", "\x1b[Z", "\r", "\x13", "\x15", "\x11"


def parsed(app: App[Any], data: str) -> list[Any]:
    """`data` as Textual's terminal parser reads it: keys and pastes, from `app`'s driver."""
    parser = XTermParser()
    events = [*parser.feed(data), *parser.tick()]
    for event in events:
        event.set_sender(app)
    return events


def burst(app: App[Any], data: str) -> None:
    """`data` typed over a laggy link: every key posted before any is handled."""
    for event in parsed(app, data):
        app.post_message(event)


async def slowly(pilot: Any, data: str) -> None:
    """`data` typed slowly: each key handled, and all it caused, before the next."""
    for event in parsed(pilot.app, data):
        pilot.app.post_message(event)
        await pilot.pause()


class TwoFields(TypeaheadApp[None]):
    """The bare case: two Inputs; Enter in the second records both values."""

    def __init__(self) -> None:
        super().__init__()
        self.submitted: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        # Not selected on focus: a key typed after shift+tab then shows where it went.
        yield Input(id="one", select_on_focus=False)
        yield Input(id="two", select_on_focus=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "one":
            self.screen.focus_next()
        else:
            self.submitted.append(self.values())

    def values(self) -> tuple[str, str]:
        return (self.query_one("#one", Input).value, self.query_one("#two", Input).value)


TYPED = f"ab{TAB}cd{BACKTAB}e{TAB}\x1b[200~pasted\x1b[201~f{ENTER}{BACKTAB}x{ENTER}y"


async def test_tab_shift_tab_enter_and_a_paste_in_one_burst_land_field_by_field() -> None:
    slow = TwoFields()
    async with slow.run_test() as pilot:
        await pilot.pause()
        await slowly(pilot, TYPED)
        typed = slow.values()
    assert (slow.submitted, typed) == ([("abe", "cdpastedf")], ("abex", "cdpastedfy"))
    fast = TwoFields()
    async with fast.run_test() as pilot:
        await pilot.pause()
        burst(fast, TYPED)
        await until(pilot, lambda: fast.values() == typed)
        assert fast.submitted == slow.submitted


class Loading(Screen[None]):
    """Its field exists only once its (slow) load is done: keys typed before must wait."""

    def __init__(self) -> None:
        super().__init__()
        typeahead.hold(self)

    def on_mount(self) -> None:
        self.load()

    @work
    async def load(self) -> None:
        await asyncio.sleep(0.3)
        await self.mount(Input(id="late"))
        self.query_one("#late", Input).focus()
        typeahead.ready(self)


async def test_keys_typed_while_a_screen_loads_land_once_it_is_ready() -> None:
    app = TwoFields()
    async with app.run_test() as pilot:
        await pilot.pause()
        app.push_screen(Loading())
        burst(app, "typed early")
        await until(pilot, lambda: bool(app.screen.query("#late")))
        await until(pilot, lambda: app.screen.query_one("#late", Input).value == "typed early")
        assert app.query_one("#one", Input).value == ""


async def test_a_quit_key_cuts_a_hold_short() -> None:
    app = TwoFields()
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = Screen[None]()
        typeahead.hold(screen)  # and never ready
        app.push_screen(screen)
        burst(app, f"x{CTRL_Q}")
        await until(pilot, lambda: not app.is_running, timeout=3.0)


# the console's forms ---------------------------------------------------------------------

async def test_identity_burst(app: LicenseDeskApp) -> None:
    given: list[tuple[str, str] | None] = []
    async with app.run_test() as pilot:
        await settle(pilot)
        app.push_screen(IdentityScreen(), given.append)
        await pilot.pause()
        burst(app, f"Sam Support{TAB}sam@partner.example.com{ENTER}")
        await until(pilot, lambda: given)
    assert given == [("Sam Support", "sam@partner.example.com")]


async def test_keys_typed_while_the_console_starts_go_to_the_first_start_form() -> None:
    app = LicenseDeskApp(start_mail=False)  # no identity yet (conftest): it will ask
    async with app.run_test() as pilot:
        burst(app, f"Sam Support{TAB}sam@partner.example.com{ENTER}")
        await until(pilot, lambda: app.staff is not None, timeout=15.0)
        assert app.staff is not None
        assert (app.staff.name, app.staff.email) == ("Sam Support", "sam@partner.example.com")


async def test_new_organization_burst(app: LicenseDeskApp, ctx: Ctx) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        burst(app, f"nAcme Two{TAB}Ann Owner{TAB}ann@acme-two.example{ENTER}{CTRL_S}")
        await until(pilot, lambda: not isinstance(app.screen, NewOrgScreen)
                    and bool(list_orgs(ctx, "Acme Two").rows))
        # The organization's screen is still mounting: leaving now raced Textual's Header
        # (its title watcher ran on a header already torn down: NoMatches at exit).
        await settle(pilot)
    (org,) = list_orgs(ctx, "Acme Two").rows
    assert (org.client_name, org.client_email) == ("Ann Owner", "ann@acme-two.example")


async def test_i_and_addresses_in_one_burst_land_in_the_wizard(app: LicenseDeskApp,
                                                               data: Data) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_license(data.acme_license)
        await settle(pilot)
        burst(app, f"inina@acme.example{ENTER}olga@acme.example")
        await until(pilot, lambda: addresses(app) == ["nina@acme.example",
                                                      "olga@acme.example"])


async def test_addresses_wait_for_a_slow_wizard(app: LicenseDeskApp, data: Data,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A database far away (it cannot run here: a delay stands in for it) answers the
    wizard's first read late; the addresses typed meanwhile still land in its rows."""
    read = Desk.license

    def far_away(desk: Desk, license_id: int) -> Any:
        time.sleep(0.5)
        return read(desk, license_id)

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_license(data.acme_license)
        await settle(pilot)
        monkeypatch.setattr(Desk, "license", far_away)
        burst(app, f"inina@acme.example{ENTER}olga@acme.example")
        await until(pilot, lambda: addresses(app) == ["nina@acme.example",
                                                      "olga@acme.example"])


async def test_license_wizard_burst_waits_for_each_step(app: LicenseDeskApp,
                                                        data: Data) -> None:
    """Opened for a client it first loads the client, then checks the terms (ctrl+s) in a
    worker: an address typed on in the same burst lands on the invite step."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_new_license(data.bright)
        burst(app, f"{CTRL_S}nina@bright.example")
        await until(pilot, lambda: addresses(app) == ["nina@bright.example"])
        assert isinstance(app.screen, LicenseWizard) and app.screen.step == 2


def addresses(app: LicenseDeskApp) -> list[str]:
    """What a wizard's invite rows hold (none before it shows them)."""
    screen = app.screen
    try:
        return [row.value for row in screen.query_one(InviteRows).rows] \
            if isinstance(screen, InviteWizard | LicenseWizard) else []
    except NoMatches:  # not composed yet
        return []


async def test_export_path_then_ctrl_s_in_one_burst_keeps_the_whole_path(
        app: LicenseDeskApp) -> None:
    asked: list[Any] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.push_screen(ExportDialog(app.screen.export_kind(), "/nowhere"),  # type: ignore[attr-defined]
                        asked.append)
        await pilot.pause()
        burst(app, f"{CTRL_U}mine/clients-burst.json{CTRL_S}")
        await until(pilot, lambda: asked)
    assert asked == [("mine/clients-burst.json", "json", False)]
