"""Clients: list, filter as you type, escape clears then stays, open, new organization."""

from __future__ import annotations

from models.context import Ctx
from models.organizations import create_organization
from models.queries import list_orgs
from models.views import StaffRef
from tests.tui.conftest import Data, settle, table_rows
from tui.app import LicenseDeskApp
from tui.screens.clients import ClientsScreen
from tui.screens.organization import OrganizationScreen


async def test_lists_organizations_with_counts(app: LicenseDeskApp, data: Data) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        rows = table_rows(app, "#orgs")
        assert rows[0][:4] == ["Acme Analytics", "Ada Lovelace", "ada@acme.example", "EU"]
        assert rows[0][4] == "1"
        assert len(rows) == 10
        assert "1-10 of 10 organizations" in str(app.screen.query_one("#status").content)


async def test_filter_as_you_type_and_escape(app: LicenseDeskApp, data: Data) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("/")
        await pilot.press(*"bright")
        await settle(pilot)
        assert [r[0] for r in table_rows(app, "#orgs")] == ["Bright Books"]
        await pilot.press("backspace", *"xx")
        await settle(pilot)
        assert table_rows(app, "#orgs") == []
        assert "No organization matches" in str(app.screen.query_one("#status").content)
        # escape clears the filter first, and the console stays on Clients
        await pilot.press("escape")
        await settle(pilot)
        assert len(table_rows(app, "#orgs")) == 10
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, ClientsScreen)


async def test_filter_matches_client_email(app: LicenseDeskApp, data: Data) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("/", *"owner03@", "enter")
        await settle(pilot)
        assert [r[0] for r in table_rows(app, "#orgs")] == ["Client 03 Co"]


async def test_enter_opens_organization(app: LicenseDeskApp, data: Data) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OrganizationScreen)
        assert app.screen.org_id == data.acme
        rows = table_rows(app, "#licenses")
        assert rows[0][1] == "LiveChat" and rows[0][2] == "◔ trial"
        await pilot.press("escape")
        assert isinstance(app.screen, ClientsScreen)


async def test_new_organization_form(app: LicenseDeskApp, ctx: Ctx, data: Data) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.press(*"Zeta Zoo", "enter", *"Zed Keeper", "enter", *"not-an-address")
        await pilot.press("ctrl+s")
        await settle(pilot)
        # refused where it was typed; nothing typed is lost
        error = str(app.screen.query_one("#error").content)
        assert "not-an-address" in error
        assert app.screen.query_one("#name").value == "Zeta Zoo"
        app.screen.query_one("#client_email").value = ""
        app.screen.query_one("#client_email").focus()
        await pilot.press(*"zed@zeta.example", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, OrganizationScreen)
        assert list_orgs(ctx, "zeta zoo").total == 1


async def test_paging(ctx: Ctx, staff: StaffRef, data: Data) -> None:
    # 10 from `data`, 95 more: two pages of 60.
    for i in range(95):
        create_organization(ctx, staff, name=f"Zpage {i:03d}", client_name="P",
                            client_email=f"p{i}@page.example")
    app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert len(table_rows(app, "#orgs")) == 60
        await pilot.press("right_square_bracket")
        await settle(pilot)
        names = [r[0] for r in table_rows(app, "#orgs")]
        assert names == [f"Zpage {i:03d}" for i in range(50, 95)]
        assert "61-105 of 105" in str(app.screen.query_one("#status").content)
        await pilot.press("right_square_bracket")  # no third page
        await settle(pilot)
        assert len(table_rows(app, "#orgs")) == 45
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert len(table_rows(app, "#orgs")) == 60
