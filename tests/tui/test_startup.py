"""First start: the login becomes the first lead (name and e-mail asked), demo data, theme
remembered, NO_COLOR."""

from __future__ import annotations

import time
import tomllib
from pathlib import Path

import pytest

from models.audit import process_login
from models.context import Ctx
from models.settings import config_path
from models.views import StaffRef
from tests.tui.conftest import (
    Data,
    palette_highlight,
    palette_pick,
    screen_text,
    settle,
    table_rows,
    until,
)
from tui.app import LicenseDeskApp
from tui.screens.clients import ClientsScreen
from tui.screens.identity import IdentityScreen


def _config() -> dict[str, object]:
    path = config_path()
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


@pytest.mark.slow
async def test_first_start_asks_identity_and_loads_demo(tmp_path: Path) -> None:
    app = LicenseDeskApp(start_mail=False)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await until(pilot, lambda: isinstance(app.screen, IdentityScreen), timeout=20)
        assert app.ctx is not None and app.staff is None
        await pilot.press(*"Sam Support", "enter", *"not an address", "enter")
        await until(pilot, lambda: any("not an address" in n.message
                                       for n in app._notifications), timeout=10)
        await until(pilot, lambda: isinstance(app.screen, IdentityScreen))
        # what was typed is still there
        assert app.screen.query_one("#name").value == "Sam Support"
        email = app.screen.query_one("#email")
        email.value = ""
        email.focus()
        await pilot.press(*"Sam@Partner.Example", "enter")
        await until(pilot, lambda: app.ready, timeout=60)
        await settle(pilot)
        assert app.staff is not None and app.staff.email == "Sam@partner.example"
        # Identity is the login: it made the database, so it is its first lead.
        assert (app.staff.login, app.staff.role) == (process_login(), "lead")
        assert "staff_email" not in _config()
        assert isinstance(app.screen, ClientsScreen)
        assert len(table_rows(app, "#orgs")) == 60  # the first page of 200 demo clients
        assert "Sam Support" in app.sub_title and "unread" in app.sub_title
        assert (tmp_path / "data" / "licensedesk.db").exists()
    # Second start: known identity, no question, no second load of demo data.
    app2 = LicenseDeskApp(start_mail=False)
    async with app2.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app2.ready, timeout=20)
        await settle(pilot)
        assert isinstance(app2.screen, ClientsScreen)
        assert "of 200 organizations" in str(app2.screen.query_one("#status").content)
        assert app2.ctx is not None
        app2.ctx.db.dispose()
    assert app.ctx is not None
    app.ctx.db.dispose()


async def test_theme_is_remembered(app: LicenseDeskApp, data: Data) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await pilot.pause()
        await until(pilot, lambda: _config().get("theme") == "nord")
    again = LicenseDeskApp(ctx=app.ctx, staff=app.staff, start_mail=False)
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert again.theme == "nord"


async def test_theme_from_palette(app: LicenseDeskApp, data: Data) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await palette_pick(pilot, "theme", "Change the current theme")
        await pilot.press("enter")
        await settle(pilot)  # the themes are listed by the palette's search worker
        await until(pilot, lambda: palette_highlight(app) != "")
        before = app.theme
        await pilot.press("down", "enter")
        await until(pilot, lambda: app.theme != before)
        await until(pilot, lambda: _config().get("theme") == app.theme)


async def test_no_color_keeps_status_words(ctx: Ctx, staff: StaffRef, data: Data,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.no_color
        app.open_license(data.acme_license, "users")
        # The Users rows come from a worker: on a busy machine after the first settle.
        await until(pilot, lambda: "○ pending" in screen_text(app))


async def test_palette_goes_to_client(app: LicenseDeskApp, data: Data) -> None:
    from tui.screens.organization import OrganizationScreen

    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await palette_pick(pilot, "bright books", "Client: Bright Books")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OrganizationScreen)
        assert app.screen.org_id == data.bright


async def test_palette_goes_to_license_by_number(app: LicenseDeskApp, data: Data) -> None:
    from tui.screens.license import LicenseScreen

    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await palette_pick(pilot, "license #2", "License #2: Bright Books")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LicenseScreen)
        assert app.screen.license_id == data.bright_license


async def test_help_opens_and_closes(app: LicenseDeskApp, data: Data) -> None:
    from tui.screens.help import HelpScreen

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark")
        assert isinstance(app.screen, ClientsScreen)


async def test_unusable_database_exits_with_a_message(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    # A directory where the database file should be: SQLite cannot open it.
    (tmp_path / "data" / "licensedesk.db").mkdir(parents=True)
    monkeypatch.setenv("LICENSEDESK_STAFF_EMAIL", "sam@partner.example")
    app = LicenseDeskApp(start_mail=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.return_code is not None, timeout=20)
    assert app.return_code == 2


async def test_first_page_paints_before_the_database_layer_loads(
        monkeypatch: pytest.MonkeyPatch, staff: StaffRef, data: Data) -> None:
    """The first page comes from sqlite3 alone; the database layer (settings, SQLAlchemy,
    identity) starts loading only once those rows are painted, so the two do not share the
    interpreter while the first list is drawn."""
    monkeypatch.setenv("LICENSEDESK_STAFF_EMAIL", staff.email)
    rows_when_boot_started: list[int] = []
    real = LicenseDeskApp.start_boot

    def start_boot(self: LicenseDeskApp) -> None:
        if not rows_when_boot_started:
            rows_when_boot_started.append(len(table_rows(self, "#orgs")))
        real(self)

    monkeypatch.setattr(LicenseDeskApp, "start_boot", start_boot)
    import models.quickpage

    read_page = models.quickpage.first_page

    def slow_first_page(limit: int) -> object:
        time.sleep(0.2)  # a slow disk: the boot still waits for these rows
        return read_page(limit)

    monkeypatch.setattr(models.quickpage, "first_page", slow_first_page)
    app = LicenseDeskApp(start_mail=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.ready, timeout=20)
        await settle(pilot)
        assert rows_when_boot_started and rows_when_boot_started[0] > 0
        assert app.staff is not None and app.staff.email == staff.email
        assert app.ctx is not None
        app.ctx.db.dispose()


async def test_rows_read_while_the_console_imported_are_in_its_first_frame(
        monkeypatch: pytest.MonkeyPatch, staff: StaffRef, data: Data) -> None:
    """`licensedesk` reads the first page while Textual imports (`tui.early`): the Clients
    screen shows those rows when it mounts, with no read of its own."""
    from tui import early

    monkeypatch.setenv("LICENSEDESK_STAFF_EMAIL", staff.email)
    early.start()
    read = early._started
    assert read is not None and read.done.wait(10) and read.page is not None
    shown_at_mount: list[int] = []
    mounted = ClientsScreen.on_mount

    def on_mount(self: ClientsScreen) -> None:
        mounted(self)
        self.call_next(lambda: shown_at_mount.append(len(table_rows(self.app, "#orgs"))))

    monkeypatch.setattr(ClientsScreen, "on_mount", on_mount)
    app = LicenseDeskApp(start_mail=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.ready, timeout=20)
        await settle(pilot)
        assert shown_at_mount == [len(read.page.rows)]
        assert not [w for w in app.workers if w.group == "quick-page"]
        assert early.take() is None  # used once: a later Clients screen reads for itself
        assert app.ctx is not None
        app.ctx.db.dispose()


async def test_a_slow_early_read_is_waited_for_not_repeated(
        monkeypatch: pytest.MonkeyPatch, staff: StaffRef, data: Data) -> None:
    import threading

    import models.quickpage
    from tui import early

    monkeypatch.setenv("LICENSEDESK_STAFF_EMAIL", staff.email)
    read_page = models.quickpage.first_page
    calls: list[int] = []
    gate = threading.Event()

    def slow_first_page(limit: int) -> object:
        calls.append(limit)
        gate.wait(10)  # a slow disk: still reading when the screen mounts
        return read_page(limit)

    monkeypatch.setattr(models.quickpage, "first_page", slow_first_page)
    early.start()
    app = LicenseDeskApp(start_mail=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: bool(app.screen.query("#orgs")), timeout=20)
        gate.set()
        await until(pilot, lambda: app.ready, timeout=20)
        await settle(pilot)
        assert calls == [early.PAGE]
        assert len(table_rows(app, "#orgs")) > 0
        assert app.ctx is not None
        app.ctx.db.dispose()
