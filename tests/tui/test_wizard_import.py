"""The invite wizard's "import file" (ctrl+o): a path typed with completion, the file's rows in
the editor with each row's verdict as for typed rows, the rows it cannot hold named, and a
file that cannot be used said where the path was typed, nothing typed lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from models.context import Ctx
from models.views import StaffRef
from tests.tui.wizard_helpers import WizardHost, add_member, make_license, make_org, settle
from tui.screens.invite_wizard import InviteWizard
from tui.widgets.import_file import ImportFileDialog
from tui.widgets.invite_rows import InviteRows


@pytest.fixture
def license_id(ctx: Ctx, staff: StaffRef) -> int:
    org = make_org(ctx, staff)
    lic = make_license(ctx, staff, org, seats=3)
    add_member(ctx, staff, lic, "pat@acme.example", "Pat Member")
    return lic


@pytest.fixture
def app(ctx: Ctx, staff: StaffRef, license_id: int) -> WizardHost:
    return WizardHost(ctx, staff, lambda: InviteWizard(license_id))


def rows_of(app: Any) -> InviteRows:
    return app.screen.query_one(InviteRows)


def status(app: Any) -> str:
    return str(app.screen.query_one("#invite-status", Static).content)


async def open_import(pilot: Any, path: str) -> None:
    await pilot.press("ctrl+o")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ImportFileDialog)
    await pilot.press(*path, "enter")
    await settle(pilot)


async def test_a_file_fills_the_rows_and_each_shows_its_verdict(
        app: WizardHost, tmp_path: Path) -> None:
    sheet = tmp_path / "people.csv"
    sheet.write_text("email;role;name;language\nann@acme.example;Agent;Ann;de\n"
                     "pat@acme.example;Agent;;\nbad@@x;Agent;;\nann@acme.example;Agent;;\n"
                     "zed@acme.example;Owner;;\n", encoding="utf-8")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_import(pilot, str(sheet))
        assert isinstance(app.screen, InviteWizard)
        rows = rows_of(app).rows
        assert [r.email for r in rows] == ["ann@acme.example", "pat@acme.example", "bad@@x",
                                           "ann@acme.example"]
        assert rows[0].language == "de"
        assert [r.outcome.result if r.outcome else None for r in rows] == [
            "invited", "member", "invalid", "duplicate"]
        said = status(app)
        assert "3 of 4 rows need a look" in said
        assert "line 6" in said and "no role 'Owner'" in said  # left out, and why


async def test_a_file_that_cannot_be_used_is_said_where_the_path_was_typed(
        app: WizardHost, tmp_path: Path) -> None:
    (tmp_path / "latin.csv").write_bytes("émile@acme.example,Agent\n".encode("latin-1"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*"keep@acme.example")
        await settle(pilot)
        for name, says in (("latin.csv", "not UTF-8"), ("nope.csv", "no such file"),
                           ("", "is a directory")):
            await open_import(pilot, str(tmp_path / name) if name else str(tmp_path))
            assert isinstance(app.screen, ImportFileDialog)
            assert says in str(app.screen.query_one("#import-problem", Static).content)
            await pilot.press("escape")
            await settle(pilot)
        assert isinstance(app.screen, InviteWizard)
        assert [r.email for r in rows_of(app).rows] == ["keep@acme.example"]


async def test_the_path_completes_from_the_directory(app: WizardHost, tmp_path: Path) -> None:
    (tmp_path / "invitees-november.csv").write_text("ann@acme.example,Agent\n")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press(*f"{tmp_path}/inv")
        await settle(pilot)
        await pilot.press("right", "enter")  # take the completion, then import
        await settle(pilot)
        assert isinstance(app.screen, InviteWizard)
        assert [r.email for r in rows_of(app).rows] == ["ann@acme.example"]
