"""The Staff screen (S) and My profile (P): everyone reads the staff; leads add, change a role,
disable and enable; anyone changes their own name and e-mail. Every change goes through
models.staff, whose refusals are shown where the person acted, with what they typed kept.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pytest
from sqlalchemy import select, update

from models.context import Ctx
from models.staff import add_staff, ensure_staff, set_role, staff_rows
from models.tables import AuditEvent, Staff
from models.views import StaffRef
from tests.tui.conftest import screen_text, segments, settle, table_rows
from tui.app import LicenseDeskApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.profile import ProfileDialog
from tui.screens.role_picker import RolePicker
from tui.screens.staff import AddStaffDialog, StaffScreen

MARKUP = "[bold]Mal[/bold] [@click=app.quit]quit[/]"
ESCAPES = "Eve\x1b[31mRED\x1b[0m\x1b]0;pwned\x07\x9b2J"
BAD = ("\x1b", "\x07", "\x9b")


@dataclass(frozen=True)
class Team:
    lena: StaffRef  # lead
    lars: StaffRef  # lead
    agnes: StaffRef  # agent
    vera: StaffRef  # viewer


@pytest.fixture
def team(ctx: Ctx) -> Team:
    # Records made without a login, then given one by a lead (roles are read from the table).
    boss = ensure_staff(ctx, "lena@partner.example", "Lena Lead", role="lead")
    lena = add_staff(ctx, boss, "lena", "lena@partner.example", "Lena Lead", role="lead")
    return Team(lena, add_staff(ctx, lena, "lars", "lars@partner.example", "Lars", "lead"),
                add_staff(ctx, lena, "agnes", "agnes@partner.example", "Agnes Agent"),
                add_staff(ctx, lena, "vera", "vera@partner.example", "Vera", "viewer"))


def console(ctx: Ctx, me: StaffRef) -> LicenseDeskApp:
    return LicenseDeskApp(ctx=ctx, staff=me, start_mail=False, poll=5.0)


def rows(ctx: Ctx) -> dict[str, tuple[str, bool]]:
    return {r.login: (r.role, r.active) for r in staff_rows(ctx)}


def audit(ctx: Ctx) -> list[tuple[str, str]]:
    with ctx.db.read() as s:
        return [(e.kind, e.detail) for e in s.execute(
            select(AuditEvent).order_by(AuditEvent.id)).scalars()]


async def open_staff(pilot: Any) -> StaffScreen:
    await settle(pilot)
    await pilot.press("S")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, StaffScreen)
    return screen


def message(app: Any) -> str:
    line = app.screen.query_one("#staff-message")
    return str(line.content) if line.display else ""


def to_row(app: Any, login: str) -> None:
    table = app.screen.query_one("#staff")
    table.move_cursor(row=table.get_row_index(login))


async def test_lead_adds_an_agent_changes_a_role_and_disables(ctx: Ctx, team: Team) -> None:
    app = console(ctx, team.lena)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_staff(pilot)
        assert [r[0] for r in table_rows(app, "#staff")] == [
            "agnes", "lars", "lena (you)", "vera"]
        assert "You manage staff" in screen_text(app)

        # add: a bad address is refused in the form, nothing typed is lost
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, AddStaffDialog)
        await pilot.press(*"otto", "enter", *"not-an-address", "enter", *"Otto [b]", "enter")
        await pilot.press("enter")  # on the role: the picker, with each role's meaning
        await settle(pilot)
        assert isinstance(app.screen, RolePicker)
        assert "loading demo data" in screen_text(app)
        await pilot.press("up", "enter")  # agent -> viewer
        await settle(pilot)
        assert "read only" in str(app.screen.query_one("#role-meaning").content)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AddStaffDialog)
        assert "not-an-address" in str(app.screen.query_one("#error").content)
        assert app.screen.query_one("#login").value == "otto"
        assert app.screen.query_one("#name").value == "Otto [b]"
        app.screen.query_one("#email").value = "otto@partner.example"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, StaffScreen)
        assert rows(ctx)["otto"] == ("viewer", True)
        otto = next(r for r in table_rows(app, "#staff") if r[0] == "otto")
        assert otto[1:] == ["Otto [b]", "otto@partner.example", "viewer", "● active"]

        # change the role of the new row (the cursor is on it)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, RolePicker)
        await pilot.press("down", "enter")  # viewer -> agent
        await settle(pilot)
        assert rows(ctx)["otto"] == ("agent", True)

        # disable asks first, then the row says so in words
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "otto" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert rows(ctx)["otto"] == ("agent", False)
        assert ["otto", "Otto [b]", "otto@partner.example", "agent", "✕ disabled"] in \
            table_rows(app, "#staff")

        # and enable gives the login its access back
        await pilot.press("e")
        await settle(pilot)
        assert rows(ctx)["otto"] == ("agent", True)

        kinds = [k for k, _d in audit(ctx)]
        assert kinds[-4:] == ["staff.added", "staff.role_changed", "staff.disabled",
                              "staff.role_changed"]
        assert message(app) == ""


async def test_a_refusal_by_the_domain_is_shown_on_the_screen(ctx: Ctx, team: Team) -> None:
    """The last lead cannot be disabled: the domain's one line, on the Staff screen."""
    set_role(ctx, team.lena, "lars", "agent")  # lena is now the only lead
    app = console(ctx, team.lena)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_staff(pilot)
        to_row(app, "lena")
        await pilot.press("x", "y")
        await settle(pilot)
        assert "lena is the last lead" in message(app)
        assert rows(ctx)["lena"] == ("lead", True)


async def test_an_agent_reads_the_staff_but_cannot_manage_it(ctx: Ctx, team: Team) -> None:
    app = console(ctx, team.agnes)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_staff(pilot)
        assert len(table_rows(app, "#staff")) == 4
        text = screen_text(app)
        assert "managing staff needs the lead role (you are an agent)" in text
        # the keys are shown greyed, and do nothing
        for action in ("add", "role", "disable", "enable"):
            assert screen.check_action(action, ()) is None
        assert not any(c.title == "Add a staff member"
                       for c in app.get_system_commands(screen))
        before = audit(ctx)
        to_row(app, "vera")
        for key in ("n", "o", "x", "e"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is screen
        assert audit(ctx) == before  # the domain was not even asked
        assert rows(ctx)["vera"] == ("viewer", True)


async def test_a_lead_demoted_meanwhile_sees_the_refusal_where_they_typed(
        ctx: Ctx, team: Team) -> None:
    app = console(ctx, team.lena)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_staff(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"otto", "enter", *"otto@partner.example")
        set_role(ctx, team.lars, "lena", "agent")  # another lead, in another console
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AddStaffDialog)
        error = str(app.screen.query_one("#error").content)
        assert error == "managing staff needs the lead role; lena is an agent"
        assert app.screen.query_one("#login").value == "otto"
        assert ("refused", error) in audit(ctx)
        assert "otto" not in rows(ctx)

        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen  # read again: the keys are greyed from now on
        assert screen.check_action("add", ()) is None
        assert "(you are an agent)" in screen_text(app)


async def test_a_refused_change_from_the_table_shows_the_message(ctx: Ctx, team: Team) -> None:
    app = console(ctx, team.lena)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_staff(pilot)
        set_role(ctx, team.lars, "lena", "viewer")
        to_row(app, "agnes")
        await pilot.press("x", "y")
        await settle(pilot)
        assert message(app) == "managing staff needs the lead role; lena is a viewer"
        assert rows(ctx)["agnes"] == ("agent", True)


@pytest.mark.parametrize("who", ["agnes", "vera", "lena"])
async def test_anyone_edits_their_own_profile(ctx: Ctx, team: Team, who: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("models.staff.os_login", lambda: who)
    me = getattr(team, who)
    app = console(ctx, me)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_staff(pilot)
        await pilot.press("P")
        await settle(pilot)
        assert isinstance(app.screen, ProfileDialog)
        assert app.screen.query_one("#email").value == me.email
        app.screen.query_one("#name").value = ""
        await pilot.press(*"New Name", "enter")
        app.screen.query_one("#email").value = "lars@partner.example"  # someone else's
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ProfileDialog)
        assert "another staff member's address" in str(app.screen.query_one("#error").content)
        assert app.screen.query_one("#name").value == "New Name"
        app.screen.query_one("#email").value = f"{who}@new.example"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, StaffScreen)
        assert [who, "New Name", f"{who}@new.example"] in \
            [r[:3] for r in table_rows(app, "#staff")] or \
            [f"{who} (you)", "New Name", f"{who}@new.example"] in \
            [r[:3] for r in table_rows(app, "#staff")]
        # the console acts as the changed record from now on
        assert app.staff is not None
        assert (app.staff.name, app.staff.email) == ("New Name", f"{who}@new.example")
        assert "New Name" in app.sub_title
        kind, detail = audit(ctx)[-1]
        assert kind == "staff.profile" and detail.startswith(f"{who}: name ")


async def test_my_profile_is_in_the_palette_and_the_help(ctx: Ctx, team: Team) -> None:
    app = console(ctx, team.agnes)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Staff" in titles and "My profile" in titles
        await pilot.press("question_mark")
        await settle(pilot)
        assert "S        Staff" in screen_text(app)


async def test_hostile_names_show_literally(ctx: Ctx, team: Team) -> None:
    mal = add_staff(ctx, team.lena, "mal", "mal@partner.example", MARKUP)
    with ctx.db.write() as s:  # as an older version or another tool might have left it
        s.execute(update(Staff).where(Staff.id == team.agnes.id).values(
            name=ESCAPES, email=f"{ESCAPES}@partner.example"))
    app = console(ctx, team.lena)
    async with app.run_test(size=(160, 30)) as pilot:
        await open_staff(pilot)
        table = table_rows(app, "#staff")
        assert [r[1] for r in table if r[0] == "mal"] == [MARKUP]
        assert [r[1] for r in table if r[0] == "agnes"] == ["Eve[31mRED[0m]0;pwned2J"]
        assert_clean(app)
        to_row(app, mal.login or "")
        await pilot.press("x")  # the question names the person: shown as typed
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "[@click=app.quit]quit[/]" in screen_text(app)
        assert_clean(app)
        await pilot.press("n")
        await settle(pilot)
        to_row(app, "agnes")
        await pilot.press("o")
        await settle(pilot)
        assert_clean(app)
        assert app.is_running


async def test_a_hostile_own_profile_is_shown_as_text(ctx: Ctx, team: Team,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("models.staff.os_login", lambda: "agnes")
    with ctx.db.write() as s:
        s.execute(update(Staff).where(Staff.id == team.agnes.id).values(
            name=f"{MARKUP} {ESCAPES}"))
    me = replace(team.agnes, name=f"{MARKUP} {ESCAPES}")
    app = console(ctx, me)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert_clean(app)
        await pilot.press("P")
        await settle(pilot)
        assert isinstance(app.screen, ProfileDialog)
        typed = app.screen.query_one("#name").value
        assert typed == f"{MARKUP} Eve[31mRED[0m]0;pwned2J"
        assert_clean(app)
        await pilot.press("ctrl+s")  # saved as shown: the stored name loses its escapes
        await settle(pilot)
        assert not isinstance(app.screen, ProfileDialog)
        assert app.staff is not None and app.staff.name == typed
        assert_clean(app)


def assert_clean(app: Any) -> None:
    assert app.is_running
    for seg in segments(app):
        assert not any(ch in seg.text for ch in BAD), repr(seg.text)
        meta = seg.style.meta if seg.style else {}
        assert "quit" not in str(meta.get("@click", "")), repr(seg)
        assert not (seg.style and seg.style.link), repr(seg)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_staff_snapshot(snap_compare: Any, ctx: Ctx, team: Team, size: tuple[int, int]) -> None:
    app = console(ctx, team.lena)

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_staff_snapshot_agent(snap_compare: Any, ctx: Ctx, team: Team) -> None:
    app = console(ctx, team.agnes)

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
