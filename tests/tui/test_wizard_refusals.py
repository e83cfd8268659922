"""What the desk refuses reaches the wizards where the person looks, and their keys are the
declared ones."""

from __future__ import annotations

from textual.widgets import Input, Static

from models.context import Ctx
from models.queries import list_orgs
from models.staff import add_staff
from models.views import StaffRef
from tests.tui.wizard_helpers import WizardHost, make_license, make_org, settle
from tui.commands import bindings
from tui.screens.confirm import ConfirmScreen
from tui.screens.invite_wizard import InviteWizard
from tui.screens.license_wizard import LicenseWizard
from tui.screens.new_org import NewOrgScreen
from tui.screens.role_picker import RolePicker
from tui.widgets.invite_rows import InviteRows
from tui.widgets.role_chip import RoleChip
from tui.wizard_commands import first_key, say_keys


def viewer(ctx: Ctx, lead: StaffRef) -> StaffRef:
    return add_staff(ctx, lead, "vic", "vic@partner.example", "Vic Viewer", role="viewer")


async def test_a_refused_role_is_said_on_the_wizards_status_line_and_nothing_is_lost(
    ctx: Ctx, staff: StaffRef,
) -> None:
    app = WizardHost(ctx, viewer(ctx, staff), LicenseWizard)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("shift+tab", "right")  # the tabs: "Create a new one"
        await pilot.pause()
        await pilot.press("tab", *"Nu Org", "enter", *"Nia Owner", "enter", *"nia@nu.example",
                          "enter")
        await settle(pilot)
        wizard = app.screen
        assert isinstance(wizard, LicenseWizard) and wizard.step == 0
        status = str(wizard.query_one("#wizard-status", Static).content)
        assert "needs the agent role" in status and "viewer" in status
        assert wizard.query_one("#org-form #name", Input).value == "Nu Org"
        assert not app.failures, "shown in the wizard, not also as a toast"
    assert list_orgs(ctx, "nu org").total == 0


async def test_a_refused_send_keeps_the_invite_wizard_open_with_its_rows(
    ctx: Ctx, staff: StaffRef,
) -> None:
    lic = make_license(ctx, staff, make_org(ctx, staff))
    app = WizardHost(ctx, viewer(ctx, staff), lambda: InviteWizard(lic))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*"ann@acme.example", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, InviteWizard)
        status = str(app.screen.query_one("#invite-status", Static).content)
        assert "needs the agent role" in status
        assert app.screen.query_one(InviteRows).rows[0].email == "ann@acme.example"
        assert not app.screen.query_one("#invite-send").disabled
    assert app.results == []


def test_the_keys_of_the_wizards_and_dialogs_are_the_declared_ones() -> None:
    for node, place in ((LicenseWizard, "license_wizard"), (InviteWizard, "invite_wizard"),
                        (InviteRows, "invite_rows"), (NewOrgScreen, "org_form"),
                        (ConfirmScreen, "confirm"), (RolePicker, "role_picker"),
                        (RoleChip, "role_chip")):
        assert node.BINDINGS == bindings(place), place
    assert first_key("confirm", "answer(False)") == "n"
    assert say_keys("Typed. {add_row} adds · {send} sends", "invite_rows", "invite_wizard") == (
        "Typed. Ctrl+n adds · ctrl+s sends")


async def test_a_control_character_in_a_pasted_address_is_shown_and_refused(
    ctx: Ctx, staff: StaffRef,
) -> None:
    """Dropped, `jo<backspace>hn@` would become john@, another valid address (found by attack):
    the row shows the character as its escape and the desk says why it is refused."""
    from textual import events

    lic = make_license(ctx, staff, make_org(ctx, staff), seats=5)
    app = WizardHost(ctx, staff, lambda: InviteWizard(lic))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert app.focused is not None
        app.focused.post_message(events.Paste(
            "jo\bhn@acme.example\nm\x7fary@acme.example\nann\u200b@acme.example\n"
            "p2@ac\u034fme.example"))
        await settle(pilot)
        rows = app.screen.query_one(InviteRows).rows
        # The last would have become p2@acme.example by the domain's IDNA mapping (found by
        # attack): the grapheme joiner is shown and refused like the others.
        assert [r.email for r in rows] == ["jo\\x08hn@acme.example", "m\\x7fary@acme.example",
                                           "ann\\u200b@acme.example", "p2@ac\\u034fme.example"]
        assert all(r.outcome is not None and not r.outcome.ok for r in rows)
        await pilot.press("ctrl+n")
        await settle(pilot)
        app.focused.post_message(events.Paste("i\0j@acme.example"))
        await settle(pilot)
        rows = app.screen.query_one(InviteRows).rows
        assert rows[-1].email == "i\\x00j@acme.example"
        assert rows[-1].outcome is not None and not rows[-1].outcome.ok
        # The control characters Python counts as white space part no words (found by the
        # second attack: `jo<US>hn@` became a refused `jo` and a valid `hn@`).
        await pilot.press("ctrl+n")
        await settle(pilot)
        app.focused.post_message(events.Paste("jo\x1fhn@acme.example\n\x1fann@acme.example\x85"))
        await settle(pilot)
        rows = app.screen.query_one(InviteRows).rows
        assert [r.email for r in rows[-2:]] == ["jo\\x1fhn@acme.example",
                                                "\\x1fann@acme.example\\x85"]
        assert all(r.outcome is not None and not r.outcome.ok for r in rows)
        assert rows[-1].message.startswith("✗ contains a control, line-break, direction or "
                                           "invisible character (shown as \\x1f)")
