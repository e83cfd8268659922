"""ctrl+e on every list screen writes the whole list (not the page on screen) to a CSV file
under the exports directory and says where; "Export as…" (E) asks for a path and format."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

from models.context import Ctx
from models.organizations import create_organization
from models.scans import scan_overdue
from models.timeutil import FixedClock
from models.views import StaffRef
from tests.tui.conftest import Data, settle
from tui.app import LicenseDeskApp
from tui.exporting import ExportDialog


def exports(ctx: Ctx) -> list[Path]:
    folder = Path(ctx.settings.data_dir) / "exports"
    return sorted(folder.iterdir()) if folder.exists() else []


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))


def toasts(app: LicenseDeskApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_ctrl_e_on_clients_writes_every_client_not_one_page(
        ctx: Ctx, staff: StaffRef, data: Data) -> None:
    for i in range(70):  # more than a page (60)
        create_organization(ctx, staff, name=f"=Zed {i:02d}", client_name="[b]x[/b]",
                            client_email=f"z{i}@zed.example")
    app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False, poll=0.2)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
        (path,) = exports(ctx)
        rows = read_csv(path)
        assert len(rows) == 70 + 10  # the data fixture's ten, and these seventy
        assert {r["name"] for r in rows if "Zed" in r["name"]} == {
            f"'=Zed {i:02d}" for i in range(70)}
        assert any(str(path) in t and "80 row(s)" in t for t in toasts(app))


async def test_ctrl_e_follows_the_filter(app: LicenseDeskApp, ctx: Ctx) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"bright", "enter")
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
        (path,) = exports(ctx)
        assert [r["name"] for r in read_csv(path)] == ["Bright Books"]


async def test_users_and_history_tabs_export_their_list_summary_has_none(
        app: LicenseDeskApp, ctx: Ctx, data: Data) -> None:
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        app.open_license(data.acme_license)
        await settle(pilot)
        assert app.screen.check_action("export", ()) is False  # Summary: no list
        assert not [c for c in app.screen.palette_commands() if "Export" in c.title]
        await pilot.press("2")
        await settle(pilot)
        assert {c.title for c in app.screen.palette_commands()} >= {
            "Export the list to CSV", "Export as…"}
        await pilot.press("ctrl+e")
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
        users, history = exports(ctx)[1], exports(ctx)[0]  # history-… sorts before users-…
        assert users.name.startswith(f"users-license{data.acme_license}-")
        emails = {r["email"] for r in read_csv(users)}
        assert {"bob@acme.example", "carol@acme.example", "dave@acme.example"} <= emails
        assert history.name.startswith("history-") and read_csv(history)


async def test_attention_alerts_and_organization(app: LicenseDeskApp, ctx: Ctx,
                                                 clock: FixedClock, data: Data) -> None:
    clock.advance(timedelta(hours=49))
    assert scan_overdue(ctx) == 4
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key in ("w", "a"):
            await pilot.press(key)
            await settle(pilot)
            await pilot.press("ctrl+e")
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
        app.open_org(data.acme)
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
    names = {p.name.split("-")[0]: p for p in exports(ctx)}
    assert set(names) == {"attention", "alerts", "licenses"}
    assert len(read_csv(names["attention"])) == 4
    assert len(read_csv(names["alerts"])) == 4
    assert [r["id"] for r in read_csv(names["licenses"])] == [str(data.acme_license)]


async def test_export_as_asks_for_a_path_and_a_format(app: LicenseDeskApp, ctx: Ctx,
                                                      tmp_path: Path) -> None:
    target = tmp_path / "mine.json"
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        assert isinstance(app.screen, ExportDialog)
        field = app.screen.query_one("#export-path")
        field.value = str(target)  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ExportDialog)
    data = json.loads(target.read_text())  # .json: the format follows the name
    assert len(data) == 10


async def test_export_as_completes_paths(app: LicenseDeskApp, ctx: Ctx,
                                         tmp_path: Path) -> None:
    (tmp_path / "reports-2026").mkdir()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        field = app.screen.query_one("#export-path")
        field.value = ""  # type: ignore[attr-defined]
        await pilot.press(*f"{tmp_path}/rep")
        await settle(pilot)
        await pilot.press("right")  # take the suggestion
        await pilot.press(*"x.csv", "enter")
        await settle(pilot)
    assert len(read_csv(tmp_path / "reports-2026" / "x.csv")) == 10
