"""A row's role in the invite wizard: one word, and a picker that says what each role may do."""

from __future__ import annotations

from models.context import Ctx
from models.outbox import list_outbox
from models.queries import license_users
from models.views import StaffRef
from tests.tui.conftest import screen_text, settle
from tests.tui.wizard_helpers import WizardHost, make_license, make_org
from tui.screens.invite_wizard import InviteWizard
from tui.screens.role_picker import RolePicker
from tui.widgets.invite_rows import InviteRows
from tui.widgets.role_chip import RoleChip


async def test_role_is_picked_with_its_meaning_and_sent_with_the_row(
        ctx: Ctx, staff: StaffRef) -> None:
    lic = make_license(ctx, staff, make_org(ctx, staff), product="helpdesk", seats=5)
    app = WizardHost(ctx, staff, lambda: InviteWizard(lic))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*"vera@acme.example", "tab")
        rows = app.screen.query_one(InviteRows)
        row, chip = rows.rows[0], rows.editor.role_chip  # the focused row's, in real widgets
        assert app.focused is chip and rows.current is row and row.role == "Agent"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RolePicker)
        assert "Role for vera@acme.example" in screen_text(app)
        assert "Read-only access to tickets and reports" in screen_text(app)
        await pilot.press("escape")  # nothing chosen: the role stays
        await settle(pilot)
        assert row.role == "Agent" and app.focused is chip
        await pilot.press("space", "down", "enter")  # space opens it too: Agent -> Viewer
        await settle(pilot)
        assert row.role == "Viewer"
        assert "Viewer ▾" in str(chip.render())
        assert "Read-only" in rows.parts(row)["meaning"]
        await pilot.click(RoleChip)  # and so does a click
        await settle(pilot)
        assert isinstance(app.screen, RolePicker)
        await pilot.press("escape", "ctrl+s")
        await settle(pilot)
    roles = {u.email: u.role for u in license_users(ctx, lic) if u.kind == "invitation"}
    assert roles == {"vera@acme.example": "Viewer"}
    assert any(m.to_addr == "vera@acme.example" for m in list_outbox(ctx))
