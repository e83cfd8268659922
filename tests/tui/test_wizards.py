"""The invite wizard and the license wizard, driven with real key presses."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from textual import events
from textual.widgets import Checkbox, Input, Static

from models.context import Ctx
from models.outbox import list_outbox
from models.queries import get_license, license_users, list_orgs
from models.views import InviteResult, StaffRef
from tests.tui.wizard_helpers import (
    HOSTILE,
    WizardHost,
    add_member,
    click_actions,
    make_license,
    make_org,
    row_parts,
    screen_text,
    settle,
)
from tui.screens.confirm import ConfirmScreen
from tui.screens.invite_wizard import InviteWizard
from tui.screens.license_wizard import LicenseWizard
from tui.widgets.email_input import split_addresses
from tui.widgets.invite_rows import InviteRows


@pytest.fixture
def license_id(ctx: Ctx, staff: StaffRef) -> int:
    org = make_org(ctx, staff)
    lic = make_license(ctx, staff, org, seats=3)
    add_member(ctx, staff, lic, "pat@acme.example", "Pat Member")
    return lic


def invite_host(ctx: Ctx, staff: StaffRef, license_id: int) -> WizardHost:
    return WizardHost(ctx, staff, lambda: InviteWizard(license_id))


def rows_of(app: Any) -> InviteRows:
    return app.screen.query_one(InviteRows)


def row_messages(app: Any) -> list[str]:
    return [parts["message"] for parts in row_parts(app)]


async def type_rows(pilot: Any, *addresses: str) -> None:
    for address in addresses:
        await pilot.press(*address, "enter")
    await settle(pilot)


def queued_to(ctx: Ctx) -> set[str]:
    return {m.to_addr for m in list_outbox(ctx) if m.kind == "invitation"
            and m.status == "queued"}


# -- invite wizard ---------------------------------------------------------------------------


async def test_invalid_address_is_marked_on_its_row_and_other_rows_survive(
    ctx: Ctx, staff: StaffRef, license_id: int,
) -> None:
    app = invite_host(ctx, staff, license_id)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await type_rows(pilot, "ann@acme.example", "bad@@x", "bob@acme.example")
        rows = rows_of(app).rows
        assert [r.email for r in rows] == ["ann@acme.example", "bad@@x", "bob@acme.example", ""]
        outcomes = [r.outcome for r in rows]
        assert outcomes[0] and outcomes[0].ok and outcomes[2] and outcomes[2].ok
        assert outcomes[1] and outcomes[1].result == "invalid"
        assert "bad@@x" in row_messages(app)[1] and row_messages(app)[0] == ""

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, InviteWizard), "a refused send keeps the wizard open"
        assert [r.email for r in rows_of(app).rows][:3] == [
            "ann@acme.example", "bad@@x", "bob@acme.example"]
        assert "nothing sent" in str(app.screen.query_one("#invite-status", Static).content)
        assert "ann@acme.example" not in queued_to(ctx)

        # Fix the bad row in place: back up to it, clear it, type the right address.
        await pilot.press("shift+tab", "shift+tab", "shift+tab", "shift+tab")
        focused = app.focused
        assert isinstance(focused, Input) and focused.value == "bad@@x"
        await pilot.press("end", "ctrl+u", *"bea@acme.example")
        await settle(pilot)
        assert all(r.outcome is None or r.outcome.ok for r in rows_of(app).rows)
        await pilot.press("ctrl+s")
        await settle(pilot)
    [result] = app.results
    assert isinstance(result, InviteResult)
    assert [o.email for o in result.invited] == [
        "ann@acme.example", "bea@acme.example", "bob@acme.example"]
    assert {"ann@acme.example", "bea@acme.example", "bob@acme.example"} <= queued_to(ctx)


async def test_duplicates_and_an_existing_member_are_marked_with_the_members_name(
    ctx: Ctx, staff: StaffRef, license_id: int,
) -> None:
    app = invite_host(ctx, staff, license_id)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await type_rows(pilot, "PAT@acme.example", "new@acme.example", "New@Acme.example")
        messages = row_messages(app)
        results = [r.outcome.result if r.outcome else None for r in rows_of(app).rows]
    assert results[:3] == ["member", "invited", "duplicate"]
    assert "Pat Member" in messages[0] and "already on this license" in messages[0]
    assert "listed twice" in messages[2]


async def test_a_pasted_list_expands_into_rows(ctx: Ctx, staff: StaffRef, license_id: int) -> None:
    app = invite_host(ctx, staff, license_id)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        # What a terminal delivers for a bracketed paste: one event with the whole text.
        assert app.focused is not None
        app.focused.post_message(events.Paste(
            "a1@acme.example\na2@acme.example, a3@acme.example;Dee Doe <a4@acme.example>\n"))
        await settle(pilot)
        assert [r.email for r in rows_of(app).rows] == [
            "a1@acme.example", "a2@acme.example", "a3@acme.example", "a4@acme.example"]
        # Typed separators end an address too, even when keys arrive in one burst.
        await pilot.press("enter", *"b1@acme.example, b2@acme.example;b3@acme.example")
        await settle(pilot)
        emails = [r.email for r in rows_of(app).rows]
    assert emails[4:] == ["b1@acme.example", "b2@acme.example", "b3@acme.example"]


async def test_the_rate_limit_is_marked_on_the_rows_past_it(
    ctx: Ctx, staff: StaffRef, license_id: int,
) -> None:
    ctx.settings.rate_limit_per_org = 2  # one invitation mail went out already (Pat's)
    app = invite_host(ctx, staff, license_id)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await type_rows(pilot, "r1@acme.example", "r2@acme.example")
        results = [r.outcome.result if r.outcome else None for r in rows_of(app).rows]
        messages = row_messages(app)
    assert results[:2] == ["invited", "rate"]
    assert "limit of 2 invitations per day" in messages[1]


async def test_rows_are_added_and_removed_by_key(
    ctx: Ctx, staff: StaffRef, license_id: int,
) -> None:
    app = invite_host(ctx, staff, license_id)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*"k1@a.example", "enter", *"k2@a.example", "enter", *"k3@a.example")
        await pilot.press("shift+tab", "shift+tab")  # k2's address
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert [r.email for r in rows_of(app).rows] == ["k1@a.example", "k3@a.example"]
        focused = app.focused
        assert isinstance(focused, Input) and focused.value == "k3@a.example"
        await pilot.press("ctrl+n", *"k4@a.example")
        await settle(pilot)
        assert [r.email for r in rows_of(app).rows] == [
            "k1@a.example", "k3@a.example", "k4@a.example"]


async def test_a_row_being_removed_is_no_longer_asked_for(
    ctx: Ctx, staff: StaffRef, license_id: int,
) -> None:
    """A preview's answer can arrive while a row is being removed (its fields already gone):
    reading the rows then must neither fail nor count the row. Seen as a NoMatches crash."""
    app = invite_host(ctx, staff, license_id)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await type_rows(pilot, "k1@a.example", "k2@a.example", "k3@a.example")
        rows = rows_of(app)
        rows.edit(rows.rows[1])
        await pilot.pause()
        wizard = app.screen
        assert isinstance(wizard, InviteWizard)
        removal = asyncio.ensure_future(rows.action_remove_row())
        asked: list[list[str]] = []
        while not removal.done():  # every step of the removal, as a message handler sees it
            asked.append([r.email for r in wizard.asked()[0]])
            await asyncio.sleep(0)
        await removal
        assert len(asked) > 2
        assert all(a == ["k1@a.example", "k3@a.example"] for a in asked[1:]), asked


async def test_an_unknown_license_says_so_and_cannot_send(ctx: Ctx, staff: StaffRef) -> None:
    app = invite_host(ctx, staff, 999)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        status = str(app.screen.query_one("#invite-status", Static).content)
        assert "no license with id 999" in status
        await pilot.press("ctrl+s", "escape")
        await settle(pilot)
    assert app.results == [None]


def test_split_addresses_keeps_bad_pieces_for_marking() -> None:
    assert split_addresses("x@y.example; Zed <z@y.example>,\n\nnot-an-address") == [
        "x@y.example", "z@y.example", "not-an-address"]


async def test_the_seat_change_is_shown(ctx: Ctx, staff: StaffRef, license_id: int) -> None:
    app = invite_host(ctx, staff, license_id)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        seats = app.screen.query_one("#invite-seats", Static)
        assert "no change" in str(seats.content)
        await type_rows(pilot, "c1@acme.example", "c2@acme.example", "c3@acme.example")
        text = str(seats.content)
        assert "3 → 5" in text and "costs more" in text and "2 → 5" in text
        await pilot.press("enter")  # on the empty last row: to the Send button
        assert app.focused is app.screen.query_one("#invite-send")
        await pilot.press("enter")
        await settle(pilot)
    [result] = app.results
    assert (result.seats_before, result.seats_after) == (3, 5)
    assert (result.billable_before, result.billable_after) == (2, 5)


async def test_add_me_too_invites_the_staff_member_as_administrator(
    ctx: Ctx, staff: StaffRef, license_id: int,
) -> None:
    app = invite_host(ctx, staff, license_id)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*"d1@acme.example", "tab", "tab")
        assert isinstance(app.focused, Checkbox)
        await pilot.press("space")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
    [result] = app.results
    assert [(o.email, o.role) for o in result.invited] == [
        ("d1@acme.example", "Agent"), (staff.email, "Administrator")]

    # Asked again, the staff member's open invitation is marked beside the checkbox.
    again = invite_host(ctx, staff, license_id)
    async with again.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "tab", "space")
        await settle(pilot)
        mine = str(again.screen.query_one("#invite-add-me-message", Static).content)
    assert "open invitation" in mine


async def test_escape_asks_before_dropping_typed_rows(
    ctx: Ctx, staff: StaffRef, license_id: int,
) -> None:
    app = invite_host(ctx, staff, license_id)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*"keep@acme.example", "escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, InviteWizard)
        assert rows_of(app).rows[0].email == "keep@acme.example"
        await pilot.press("escape", "y")
        await settle(pilot)
    assert app.results == [None]
    assert "keep@acme.example" not in queued_to(ctx)


# -- license wizard --------------------------------------------------------------------------


async def pick_in_select(pilot: Any, downs: int) -> None:
    """The focused Select: open it, move down, choose."""
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(*["down"] * downs, "enter")
    await pilot.pause()


async def test_create_a_license_with_invitations_and_find_their_mails_queued(
    ctx: Ctx, staff: StaffRef,
) -> None:
    make_org(ctx, staff, "Zeta Zoo", "zed@zeta.example", "us")
    org = make_org(ctx, staff, "Acme Books", "owner@acme.example", "eu")
    app = WizardHost(ctx, staff, LicenseWizard)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*"acme", "enter")
        await settle(pilot)
        await pilot.press("enter")  # the highlighted organization
        await settle(pilot)
        wizard = app.screen
        assert isinstance(wizard, LicenseWizard) and wizard.step == 1
        assert wizard.org is not None and wizard.org.id == org
        await pick_in_select(pilot, 1)  # product: HelpDesk
        await pilot.press("tab")
        await pick_in_select(pilot, 1)  # terms: paid
        await pilot.press("tab")
        await pick_in_select(pilot, 2)  # plan: team (after the blank "Choose a plan")
        await pilot.press("tab", *"4", "ctrl+s")
        await settle(pilot)
        assert wizard.step == 2
        await pilot.press(*"ag@acme.example", "enter", *"vi@acme.example", "tab")
        await pick_in_select(pilot, 1)  # from Agent down to Viewer
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
    [license_id] = app.results
    lic = get_license(ctx, license_id)
    assert (lic.product, lic.status, lic.plan, lic.seats, lic.data_center) == (
        "helpdesk", "paid", "team", 4, "eu")
    users = {u.email: u.role for u in license_users(ctx, license_id) if u.kind == "invitation"}
    assert users == {"vi@acme.example": "Viewer", "ag@acme.example": "Agent"}
    assert {"vi@acme.example", "ag@acme.example"} <= queued_to(ctx)


async def test_bad_terms_are_marked_at_the_field_and_back_keeps_everything(
    ctx: Ctx, staff: StaffRef,
) -> None:
    make_org(ctx, staff)
    app = WizardHost(ctx, staff, LicenseWizard)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        wizard = app.screen
        assert isinstance(wizard, LicenseWizard) and wizard.step == 1
        await pilot.press("tab", "tab", "ctrl+a", "ctrl+k", *"45", "ctrl+s")
        await settle(pilot)
        assert wizard.step == 1
        error = wizard.query_one("#field-trial_days .field-error", Static)
        assert "14 to 30" in str(error.content)
        await pilot.press("backspace", "backspace", *"21", "ctrl+s")
        await settle(pilot)
        assert wizard.step == 2
        await pilot.press(*"own@acme.example", "enter", *"owner@acme.example")
        await settle(pilot)
        messages = row_messages(app)
        assert "Olga Owner" in messages[1] and "Owner" in messages[1]
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert wizard.step == 1
        assert wizard.query_one("#trial_days", Input).value == "21"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [r.email for r in rows_of(app).rows] == ["own@acme.example",
                                                         "owner@acme.example"]
        # The service refuses the owner too; every row stays, marked.
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LicenseWizard)
        assert "Olga Owner" in row_messages(app)[1]
        assert rows_of(app).rows[0].email == "own@acme.example"
    assert app.results == []


async def test_a_new_organization_is_created_from_the_wizard(ctx: Ctx, staff: StaffRef) -> None:
    app = WizardHost(ctx, staff, LicenseWizard)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("shift+tab", "right")  # the tabs: "Create a new one"
        await pilot.pause()
        await pilot.press("tab", *"Nu Org", "enter", *"Nia Owner", "enter", *"nia@@nu")
        await pilot.press("enter")
        await settle(pilot)
        wizard = app.screen
        assert isinstance(wizard, LicenseWizard) and wizard.step == 0
        assert "nia@@nu" in str(wizard.query_one(
            "#org-form #field-client_email .field-error", Static).content)
        await pilot.press("ctrl+u", *"nia@nu.example", "enter")
        await settle(pilot)
        assert wizard.step == 1
        await pilot.press("ctrl+b", "ctrl+s")  # back and on again: no second organization
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert list_orgs(ctx, "nu org").total == 1
    [license_id] = app.results
    assert get_license(ctx, license_id).organization == "Nu Org"


async def test_leaving_the_license_wizard_asks_once_something_was_typed(
    ctx: Ctx, staff: StaffRef,
) -> None:
    make_org(ctx, staff)
    app = WizardHost(ctx, staff, LicenseWizard)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LicenseWizard) and app.screen.step == 1
        await pilot.press("escape", "y")
        await settle(pilot)
    assert app.results == [None]


# -- through the real console -----------------------------------------------------------


async def test_through_the_console_a_new_license_lands_on_its_summary(
    ctx: Ctx, staff: StaffRef,
) -> None:
    from tui.app import LicenseDeskApp
    from tui.screens.license import LicenseScreen

    org = make_org(ctx, staff)
    app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        app.action_new_license(org)
        await settle(pilot)
        wizard = app.screen
        assert isinstance(wizard, LicenseWizard) and wizard.step == 1
        await pilot.press("ctrl+b")  # back to step 1: the given organization is chosen
        await settle(pilot)
        assert wizard.step == 0
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert wizard.step == 1 and wizard.org is not None and wizard.org.id == org
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press(*"con1@acme.example, con2@acme.example", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LicenseScreen)
        license_id = app.screen.license_id
        app.invite_users(license_id)
        await settle(pilot)
        assert isinstance(app.screen, InviteWizard)
        await pilot.press(*"con3@acme.example", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LicenseScreen)
    assert {"con1@acme.example", "con2@acme.example", "con3@acme.example"} <= queued_to(ctx)
    assert get_license(ctx, license_id).organization == "Acme Books"


# -- hostile text ----------------------------------------------------------------------------


async def test_hostile_strings_neither_crash_nor_act(ctx: Ctx, staff: StaffRef,
                                                     license_id: int) -> None:
    app = invite_host(ctx, staff, license_id)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for text in HOSTILE:
            typeable = all(c.isprintable() for c in text) and len(text) < 50
            if typeable:
                await pilot.press(*text, "enter")
            else:
                assert app.focused is not None
                app.focused.post_message(events.Paste(text))
                await pilot.press("enter")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, InviteWizard)
        painted = screen_text(app)
        assert "[@click=app.quit]x[/]" in painted
        assert "\x1b" not in painted and "\u202e" not in painted and "\x07" not in painted
        assert "app.quit" not in click_actions(app)
        values = [r.email for r in rows_of(app).filled()]
        assert "[@click=app.quit]x[/]" in values and "[/" in values
        assert not any(ch in v for v in values for ch in "\x1b\x07\u202e\u202c")
        # A pasted control or bidi character is shown as its escape and refused, never
        # dropped: dropped, it would turn the paste into another, valid address.
        assert "\\u202eevil\\u202c@example.com" in values
        assert all(r.outcome and not r.outcome.ok for r in rows_of(app).filled())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, InviteWizard)

    make_org(ctx, staff, HOSTILE[0] + " Ltd", "hostile@acme.example")
    wizard = WizardHost(ctx, staff, LicenseWizard)
    async with wizard.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "[@click=app.quit]x[/] Ltd — Olga Owner" in screen_text(wizard)
        assert "app.quit" not in click_actions(wizard)
        await pilot.press(*"[/", "[", "@click=app.quit]")
        await settle(pilot)
        await pilot.press("shift+tab", "right")
        await pilot.pause()
        await pilot.press("tab", *HOSTILE[0], "enter")
        assert wizard.focused is not None
        wizard.focused.post_message(events.Paste("y" * 300))
        await pilot.press("enter")
        wizard.focused.post_message(events.Paste("\x1b[31mred\x1b[0m@acme.example"))
        await pilot.press("enter")
        await settle(pilot)
        screen = wizard.screen
        assert isinstance(screen, LicenseWizard) and screen.step == 0
        errors = {f.id: str(f.query_one(".field-error", Static).content)
                  for f in screen.query(".wizard-field")}
        assert "longer than 200" in errors["field-client_name"]
        assert screen.query_one("#org-form #client_email", Input).value == "[31mred[0m@acme.example"
        painted = screen_text(wizard)
        assert "\x1b" not in painted
        assert "app.quit" not in click_actions(wizard)
        # The first bad field has the focus; fix both bad fields.
        await pilot.press("end", "ctrl+u", *"Ylva", "enter", "end", "ctrl+u",
                          *"ylva@acme.example", "enter")
        await settle(pilot)
        assert screen.step == 1
        assert "For [@click=app.quit]x[/] (client Ylva" in screen_text(wizard)
        assert "app.quit" not in click_actions(wizard)
        assert wizard.is_running


# -- snapshots -------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_invite_wizard_snapshot(snap_compare: Any, ctx: Ctx, staff: StaffRef,
                                license_id: int, size: tuple[int, int]) -> None:
    app = invite_host(ctx, staff, license_id)

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await type_rows(pilot, "pat@acme.example", "bad@@x", "new@acme.example")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_license_wizard_snapshot(snap_compare: Any, ctx: Ctx, staff: StaffRef,
                                 size: tuple[int, int]) -> None:
    make_org(ctx, staff)
    make_org(ctx, staff, "Bistro Bonn", "bo@bonn.example", "eu")
    app = WizardHost(ctx, staff, LicenseWizard)

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await type_rows(pilot, "ann@acme.example", "owner@acme.example")

    assert snap_compare(app, terminal_size=size, run_before=run_before)
