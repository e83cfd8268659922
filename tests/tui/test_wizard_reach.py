"""Issue 12 in the invite wizards: "did you mean …?" on a row and ctrl+t takes it; an address
outside the client's domains is marked; an Administrator there (or a typo kept as typed) is
sent only after a confirmation, which the desk audits; each row's language, the
organization's unless chosen; the license wizard's last step asks the same. Snapshots at
80x24 of the wizard with a typo row and of the link dialog."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from textual.widgets import Static

from models.context import Ctx
from models.domains import add_domain
from models.organizations import set_language
from models.tables import AuditEvent, Invitation
from models.views import InvitationRow, StaffRef
from tests.tui.test_wizards import invite_host, rows_of, type_rows
from tests.tui.wizard_helpers import (
    WizardHost,
    add_member,
    make_license,
    make_org,
    row_parts,
    settle,
)
from tui.screens.confirm import ConfirmScreen
from tui.screens.invite_wizard import InviteWizard
from tui.screens.license_wizard import LicenseWizard
from tui.screens.link_dialog import LinkDialog
from tui.screens.role_picker import RolePicker


@pytest.fixture
def org_id(ctx: Ctx, staff: StaffRef) -> int:
    return make_org(ctx, staff)  # its client is at acme.example


@pytest.fixture
def license_id(ctx: Ctx, staff: StaffRef, org_id: int) -> int:
    lic = make_license(ctx, staff, org_id, seats=3)
    add_member(ctx, staff, lic, "pat@acme.example", "Pat Member")
    return lic


def _invited(ctx: Ctx) -> dict[str, Invitation]:
    """The invitations the wizard made (pat's, accepted before, left out)."""
    with ctx.db.read() as s:
        return {i.email: i for i in s.execute(select(Invitation)).scalars()
                if i.email != "pat@acme.example"}


def _confirmed(ctx: Ctx) -> list[str]:
    with ctx.db.read() as s:
        return list(s.execute(select(AuditEvent.detail).where(
            AuditEvent.kind == "invitation.confirmed")).scalars())


def _messages(app: Any) -> list[str]:
    return [parts["message"] for parts in row_parts(app)]


async def test_a_typo_is_shown_and_ctrl_t_takes_the_suggestion(
        ctx: Ctx, staff: StaffRef, license_id: int) -> None:
    app = invite_host(ctx, staff, license_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_rows(pilot, "ann@gmial.com", "bo@acme.example")
        rows = rows_of(app).rows
        first = rows[0].outcome
        assert first is not None and first.result == "typo"
        assert first.suggestion == "ann@gmail.com"
        assert _messages(app)[0].startswith("✗ did you mean ann@gmail.com? ctrl+t: take it")
        await pilot.press("ctrl+t")  # from the empty row: the first row with a suggestion
        await settle(pilot)
        assert rows[0].email == "ann@gmail.com"
        assert rows[0].outcome is not None and rows[0].outcome.ok
        assert _messages(app)[0] == "↗ outside the client's domains"  # gmail.com is
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.results and app.results[0] is not None
    assert set(_invited(ctx)) == {"ann@gmail.com", "bo@acme.example"}
    assert _confirmed(ctx) == []


async def test_a_typo_kept_as_typed_is_asked_and_audited(
        ctx: Ctx, staff: StaffRef, license_id: int) -> None:
    app = invite_host(ctx, staff, license_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_rows(pilot, "ann@gmial.com")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Keep ann@gmial.com as typed" in str(app.screen.query_one("#question").render())
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, InviteWizard) and _invited(ctx) == {}
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.results and app.results[0] is not None
    assert set(_invited(ctx)) == {"ann@gmial.com"}
    (line,) = _confirmed(ctx)
    assert line.endswith("kept ann@gmial.com as typed (suggested ann@gmail.com)")


async def test_outside_is_marked_and_an_administrator_there_needs_a_confirmation(
        ctx: Ctx, staff: StaffRef, license_id: int) -> None:
    app = invite_host(ctx, staff, license_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_rows(pilot, "zed@elsewhere.example", "yan@elsewhere.example")
        await pilot.press("shift+tab", "enter")  # yan's role picker
        await settle(pilot)
        assert isinstance(app.screen, RolePicker)
        await pilot.press("up", "enter")  # Agent -> Administrator
        await settle(pilot)
        rows = rows_of(app).rows
        zed, yan = rows[0].outcome, rows[1].outcome
        assert zed is not None and zed.ok and zed.outside
        assert yan is not None and (yan.result, yan.role) == ("outside", "Administrator")
        assert _messages(app)[0] == "↗ outside the client's domains"
        assert "an Administrator there needs a confirmation" in _messages(app)[1]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        question = str(app.screen.query_one("#question").render())
        assert "Make yan@elsewhere.example an Administrator outside" in question
        await pilot.press("y")
        await settle(pilot)
        assert app.results and app.results[0] is not None
    assert _invited(ctx)["yan@elsewhere.example"].role == "Administrator"
    (line,) = _confirmed(ctx)
    assert "confirmed yan@elsewhere.example as Administrator outside" in line


async def test_each_row_has_the_organizations_language_unless_chosen(
        ctx: Ctx, staff: StaffRef, org_id: int, license_id: int) -> None:
    set_language(ctx, staff, org_id, "de")
    app = invite_host(ctx, staff, license_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_rows(pilot, "a@acme.example", "b@acme.example")
        chips = [parts["lang"] for parts in row_parts(app)]
        assert chips[:2] == ["de ▾", "de ▾"]
        await pilot.press("shift+tab", "ctrl+g")  # from b's role: b's language
        await settle(pilot)
        assert isinstance(app.screen, RolePicker)
        assert "Language for b@acme.example" in str(app.screen.query_one(".dialog-title")
                                                     .render())
        await pilot.press("down", "down", "enter")  # de -> fr -> es
        await settle(pilot)
        assert rows_of(app).rows[1].language == "es"
        assert rows_of(app).rows[1].outcome is not None
        assert rows_of(app).rows[1].outcome.language == "es"
        await pilot.press("ctrl+s")
        await settle(pilot)
    invited = _invited(ctx)
    assert (invited["a@acme.example"].language, invited["b@acme.example"].language) == (
        None, "es")


async def test_the_license_wizard_asks_for_an_administrator_outside(
        ctx: Ctx, staff: StaffRef) -> None:
    make_org(ctx, staff)
    app = WizardHost(ctx, staff, LicenseWizard)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await type_rows(pilot, "kim@gmial.com")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert app.results and isinstance(app.results[0], int)
    assert set(_invited(ctx)) == {"kim@gmial.com"}
    assert len(_confirmed(ctx)) == 1


# -- snapshots -------------------------------------------------------------------------------


def test_invite_wizard_with_a_typo_snapshot(snap_compare: Any, ctx: Ctx, staff: StaffRef,
                                            org_id: int, license_id: int) -> None:
    add_domain(ctx, staff, org_id, "acme-robotics.example")
    app = invite_host(ctx, staff, license_id)

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await type_rows(pilot, "ann@gmial.com", "bo@acme-robotic.example",
                        "zed@elsewhere.example")

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_link_dialog_snapshot(snap_compare: Any, ctx: Ctx, staff: StaffRef) -> None:
    at = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
    row = InvitationRow(
        id=7, license_id=1, organization_id=1, organization="Acme Books", product="LiveChat",
        email="bob@acme.example", role="Agent", status="pending",
        invited_by="sam@partner.example", sent_at=at, times_sent=2, overdue_at=at,
        expires_at=at, accepted_at=None, failed_reason=None)
    link = "http://127.0.0.1:8765/invite/" + "x" * 43
    app = WizardHost(ctx, staff, lambda: LinkDialog(link, row))
    assert snap_compare(app, terminal_size=(80, 24))


# -- the Organization screen: domains and the invitees' language -----------------------------


async def test_organization_screen_domains_and_language(
        ctx: Ctx, staff: StaffRef, org_id: int) -> None:
    from models.domains import domains
    from models.organizations import language_of
    from tests.tui.conftest import settle as app_settle
    from tui.app import LicenseDeskApp
    from tui.screens.domains_dialog import DomainsDialog
    from tui.screens.organization import OrganizationScreen

    app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False, poll=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        await app_settle(pilot)
        app.open_org(org_id)
        await app_settle(pilot)
        assert isinstance(app.screen, OrganizationScreen)
        details = str(app.screen.query_one("#org-details", Static).content)
        assert "Domains: acme.example · invitees' language: English" in details
        await pilot.press("d")
        await app_settle(pilot)
        assert isinstance(app.screen, DomainsDialog)
        await pilot.press(*"Acme-Robotics.example", "enter")
        await app_settle(pilot)
        assert domains(ctx, org_id) == ("acme-robotics.example", "acme.example")
        assert "added acme-robotics.example" in str(
            app.screen.query_one("#domains-error", Static).content)
        await pilot.press(*"no dot", "enter")
        await app_settle(pilot)
        assert "not a mail domain" in str(app.screen.query_one("#domains-error", Static).content)
        await pilot.press("shift+tab", "delete")  # the first listed: acme-robotics.example
        await app_settle(pilot)
        assert domains(ctx, org_id) == ("acme.example",)
        await pilot.press("escape")
        await app_settle(pilot)
        assert isinstance(app.screen, OrganizationScreen)
        await pilot.press("l")
        await app_settle(pilot)
        assert isinstance(app.screen, RolePicker)
        await pilot.press("down", "enter")  # English -> Deutsch
        await app_settle(pilot)
        assert language_of(ctx, org_id) == "de"
        details = str(app.screen.query_one("#org-details", Static).content)
        assert "invitees' language: Deutsch" in details
