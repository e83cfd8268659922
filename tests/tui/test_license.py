"""License detail: tabs, resend, revoke with confirm, remind with confirm, role, filter."""

from __future__ import annotations

from models.context import Ctx
from models.outbox import list_outbox
from models.queries import list_invitations
from tests.tui.conftest import Data, settle, table_rows
from tui.app import LicenseDeskApp
from tui.panes.users import UsersTable
from tui.screens.confirm import ConfirmScreen
from tui.screens.license import LicenseScreen
from tui.screens.role_picker import RolePicker


def _status(ctx: Ctx, license_id: int) -> dict[str, tuple[str, int, str]]:
    return {i.email: (i.status, i.times_sent, i.role)
            for i in list_invitations(ctx, license_id=license_id)}


async def _open_users(app: LicenseDeskApp, pilot: object, license_id: int) -> None:
    app.open_license(license_id, "users")
    await settle(pilot)


async def test_summary_shows_terms_and_counts(app: LicenseDeskApp, data: Data) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_license(data.bright_license)
        await settle(pilot)
        fields = str(app.screen.query_one("#summary-fields").content)
        assert "HelpDesk license" in fields
        assert "Ben Bright <ben@bright.example>" in fields
        assert "paid" in fields and "team" in fields and "Seats 5" in fields
        assert "Payer         client" in fields
        counts = str(app.screen.query_one("#summary-counts").content)
        assert "pending 1" in counts and "overdue 0" in counts


async def test_users_tab_lists_accounts_and_invitations(app: LicenseDeskApp,
                                                        data: Data) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _open_users(app, pilot, data.acme_license)
        rows = table_rows(app, "#users-table")
        assert [r[1] for r in rows] == ["Ada Lovelace <ada@acme.example>", "bob@acme.example",
                                        "carol@acme.example", "dave@acme.example"]
        assert [r[3] for r in rows] == ["● active", "○ pending", "○ pending", "○ pending"]
        # History, newest first
        await pilot.press("3")
        history = table_rows(app, "#history-table")
        assert history[0][2] == "sent"
        assert history[-1][2] == "created"


async def test_resend_marked(app: LicenseDeskApp, ctx: Ctx, data: Data) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _open_users(app, pilot, data.acme_license)
        await pilot.press("down", "space", "space", "s")  # mark bob and carol
        await settle(pilot)
        state = _status(ctx, data.acme_license)
        assert state["bob@acme.example"][1] == 2
        assert state["carol@acme.example"][1] == 2
        assert state["dave@acme.example"][1] == 1
        assert sum(1 for m in list_outbox(ctx) if m.kind == "resend") == 2
        assert not app.screen.query_one(UsersTable).marked


async def test_resend_refuses_an_account(app: LicenseDeskApp, ctx: Ctx, data: Data) -> None:
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await _open_users(app, pilot, data.acme_license)
        await pilot.press("s")  # the cursor is on the owner's account
        await settle(pilot)
        assert any("Choose an invitation" in n.message for n in app._notifications)
        assert not any(m.kind == "resend" for m in list_outbox(ctx))


async def test_revoke_asks_first(app: LicenseDeskApp, ctx: Ctx, data: Data) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _open_users(app, pilot, data.acme_license)
        await pilot.press("down", "down", "x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "carol@acme.example" in str(app.screen.query_one("#question").content)
        await pilot.press("n")
        await settle(pilot)
        assert _status(ctx, data.acme_license)["carol@acme.example"][0] == "pending"
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, LicenseScreen)
        assert _status(ctx, data.acme_license)["carol@acme.example"][0] == "revoked"
        assert table_rows(app, "#users-table")[2][3] == "✕ revoked"


async def test_remind_confirms_with_count(app: LicenseDeskApp, ctx: Ctx, data: Data) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_license(data.acme_license)
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        question = str(app.screen.query_one("#question").content)
        assert "Send a reminder to 3 people" in question
        await pilot.press("y")
        await settle(pilot)
        assert sum(1 for m in list_outbox(ctx) if m.kind == "reminder") == 3
        assert all(v[1] == 2 for v in _status(ctx, data.acme_license).values())


async def test_remind_with_nobody_left(app: LicenseDeskApp, ctx: Ctx, data: Data) -> None:
    from models.invitations import revoke

    revoke(ctx, app.staff, [data.invitations["eve@bright.example"]])  # type: ignore[arg-type]
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        app.open_license(data.bright_license)
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, LicenseScreen)
        assert any("Nobody to remind" in n.message for n in app._notifications)


async def test_change_role_of_open_invitation(app: LicenseDeskApp, ctx: Ctx,
                                              data: Data) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _open_users(app, pilot, data.acme_license)
        await pilot.press("down", "o")
        await settle(pilot)
        assert isinstance(app.screen, RolePicker)
        await pilot.press("up", "enter")  # Agent -> Administrator
        await settle(pilot)
        assert _status(ctx, data.acme_license)["bob@acme.example"][2] == "Administrator"
        assert table_rows(app, "#users-table")[1][2] == "Administrator"


async def test_filter_by_status_then_escape(app: LicenseDeskApp, ctx: Ctx, data: Data) -> None:
    from models.invitations import revoke

    revoke(ctx, app.staff, [data.invitations["dave@acme.example"]])  # type: ignore[arg-type]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _open_users(app, pilot, data.acme_license)
        assert len(table_rows(app, "#users-table")) == 4
        await pilot.press("f")  # pending
        await settle(pilot)
        assert [r[1] for r in table_rows(app, "#users-table")] == ["bob@acme.example",
                                                                   "carol@acme.example"]
        for _ in range(4):  # overdue, failed, expired, revoked
            await pilot.press("f")
            await settle(pilot)
        assert [r[1] for r in table_rows(app, "#users-table")] == ["dave@acme.example"]
        await pilot.press("escape")  # clears the filter
        await settle(pilot)
        assert len(table_rows(app, "#users-table")) == 4
        assert isinstance(app.screen, LicenseScreen)
        await pilot.press("escape")  # then goes back
        assert not isinstance(app.screen, LicenseScreen)


async def test_users_keys_only_on_users_tab(app: LicenseDeskApp, data: Data) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_license(data.acme_license)
        await settle(pilot)
        screen = app.screen
        assert screen.check_action("revoke", ()) is False
        await pilot.press("2")
        assert screen.check_action("revoke", ()) is True


async def test_change_made_elsewhere_shows_up(app: LicenseDeskApp, ctx: Ctx,
                                              data: Data) -> None:
    from models.invitations import revoke
    from tests.tui.conftest import until

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _open_users(app, pilot, data.acme_license)
        revoke(ctx, app.staff, [data.invitations["bob@acme.example"]])  # type: ignore[arg-type]
        await until(pilot, lambda: table_rows(app, "#users-table")[1][3] == "✕ revoked")


async def test_an_outside_agent_made_administrator_is_asked_first(
        app: LicenseDeskApp, ctx: Ctx, data: Data) -> None:
    # Found by the attack on issue 12: the role key skipped the domain guard.
    from models.invitations import invite
    from models.views import InviteRequest

    invite(ctx, app.staff, data.acme_license,  # type: ignore[arg-type]
           [InviteRequest("zed@outside.example", "Agent")])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _open_users(app, pilot, data.acme_license)
        emails = [r[1] for r in table_rows(app, "#users-table")]
        await pilot.press(*["down"] * emails.index("zed@outside.example"), "o")
        await settle(pilot)
        assert isinstance(app.screen, RolePicker)
        await pilot.press("up", "enter")  # Agent -> Administrator
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)  # asked, nothing changed yet
        assert _status(ctx, data.acme_license)["zed@outside.example"][2] == "Agent"
        await pilot.press("y")
        await settle(pilot)
        assert _status(ctx, data.acme_license)["zed@outside.example"][2] == "Administrator"
